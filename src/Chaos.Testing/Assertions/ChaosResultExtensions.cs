
namespace Chaos.Testing;

/// <summary>Framework-free checks on a <see cref="ChaosResult"/>, and the entry point of its FluentAssertions.</summary>
public static class ChaosResultExtensions
{
    /// <summary>Throws when the experiment did not pass, with the same message as <c>Should().HaveHeldSteadyState()</c>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The same result, for chaining.</returns>
    /// <exception cref="ChaosExperimentFailedException">The verdict is not Passed.</exception>
    public static ChaosResult EnsureSteadyState(this ChaosResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Verdict != ExperimentVerdict.Passed)
        {
            throw new ChaosExperimentFailedException(ChaosResultMessages.SteadyState(result, string.Empty), result);
        }

        return result;
    }

    /// <summary>Starts FluentAssertions on the result.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The assertions.</returns>
    public static ChaosResultAssertions Should(this ChaosResult result) => new(result);
}
