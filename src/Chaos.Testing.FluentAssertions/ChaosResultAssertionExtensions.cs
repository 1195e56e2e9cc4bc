#if AWESOME_ASSERTIONS
using AwesomeAssertions.Execution;
#endif

namespace Chaos.Testing;

/// <summary>The entry point of the assertions on a <see cref="ChaosResult"/>: <c>result.Should().HaveHeldSteadyState()</c>.</summary>
public static class ChaosResultAssertionExtensions
{
    /// <summary>Starts the assertions on the result.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The assertions.</returns>
#if AWESOME_ASSERTIONS
    public static ChaosResultAssertions Should(this ChaosResult result) => new(result, AssertionChain.GetOrCreate());
#else
    public static ChaosResultAssertions Should(this ChaosResult result) => new(result);
#endif
}
