
namespace Chaos.Testing;

/// <summary>
/// Framework-free checks on a <see cref="ChaosResult"/>. For <c>result.Should()</c>, add Chaos.Testing.FluentAssertions
/// (FluentAssertions 7) or Chaos.Testing.AwesomeAssertions (AwesomeAssertions 9).
/// </summary>
public static class ChaosResultExtensions
{
    /// <summary>Throws when the experiment did not pass, with the same message as the assertion packages' <c>Should().HaveHeldSteadyState()</c>.</summary>
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
}
