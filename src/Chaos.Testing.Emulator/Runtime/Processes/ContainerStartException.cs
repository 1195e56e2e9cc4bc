namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>A container could not be started; <see cref="Reason"/> is the status's waiting or terminated reason.</summary>
internal sealed class ContainerStartException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ContainerStartException"/> class.</summary>
    /// <param name="reason">The reason, e.g. <c>StartError</c>.</param>
    /// <param name="message">What failed, for the status's message.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ContainerStartException(string reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Gets the reason, e.g. <c>StartError</c>.</summary>
    public string Reason { get; }
}
