namespace Chaos.Testing.K3s;

/// <summary>The Docker engine K3s needs is not reachable; the message says what was checked and what to do instead.</summary>
public sealed class DockerUnavailableException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="DockerUnavailableException"/> class.</summary>
    /// <param name="message">Why, and what to do instead.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DockerUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
