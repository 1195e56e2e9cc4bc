namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// The pod network cannot be created on this machine. The message says what is missing, why the network needs it,
/// and how to fix it, so that a test run that cannot use real processes fails with one clear sentence.
/// </summary>
internal sealed class PodNetworkUnavailableException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PodNetworkUnavailableException"/> class.</summary>
    public PodNetworkUnavailableException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PodNetworkUnavailableException"/> class with its message.</summary>
    public PodNetworkUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PodNetworkUnavailableException"/> class with its message and cause.</summary>
    public PodNetworkUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
