namespace Chaos.Testing;

/// <summary>Thrown by <see cref="ChaosResultExtensions.EnsureSteadyState"/> when an experiment did not pass.</summary>
public sealed class ChaosExperimentFailedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ChaosExperimentFailedException"/> class.</summary>
    /// <param name="message">What broke, when, and the seed.</param>
    /// <param name="result">The result.</param>
    public ChaosExperimentFailedException(string message, ChaosResult result)
        : base(message)
    {
        Result = result;
    }

    /// <summary>Gets the result of the experiment.</summary>
    public ChaosResult Result { get; }
}
