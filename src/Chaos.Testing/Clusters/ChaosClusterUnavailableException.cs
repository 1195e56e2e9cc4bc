namespace Chaos.Testing;

/// <summary>The requested kind of cluster cannot be used here; test adapters report the test as skipped with <see cref="Exception.Message"/>.</summary>
public sealed class ChaosClusterUnavailableException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ChaosClusterUnavailableException"/> class.</summary>
    /// <param name="message">Why, and how to make it available.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ChaosClusterUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
