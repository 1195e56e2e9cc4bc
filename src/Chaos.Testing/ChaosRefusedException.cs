namespace Chaos.Testing;

/// <summary>
/// The experiment was refused before any write: the safety guards (protected or production namespace, exclusion
/// label, maximum percentage, minimum healthy), an empty selection, or the API's authorization (403) said no.
/// The message says what matched, what was filtered out and how to proceed.
/// </summary>
public sealed class ChaosRefusedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ChaosRefusedException"/> class.</summary>
    /// <param name="message">What was refused and why.</param>
    /// <param name="innerException">The API error, if any.</param>
    public ChaosRefusedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Gets which safety guard refused, if one did (counted by the telemetry).</summary>
    internal RefusalGuard Guard { get; init; }
}
