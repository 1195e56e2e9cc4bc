using Xunit.Sdk;
using Xunit.v3;

namespace Chaos.Testing.Xunit;

/// <summary>What <see cref="ChaosFactAttribute"/> and <see cref="ChaosTheoryAttribute"/> have in common for discovery.</summary>
internal interface IChaosTestAttribute
{
    /// <summary>Gets the cluster kind the test needs, or null for the run's kind.</summary>
    string? Kind { get; }

    /// <summary>Gets the skip reason set explicitly on the attribute, or null.</summary>
    string? Skip { get; }
}

/// <summary>
/// In strict mode an unavailable cluster turns each discovered test case into one that fails with the reason, whether
/// or not the test belongs to a chaos collection (its fixture would fail it too, but a test outside one would pass).
/// </summary>
internal static class ChaosDiscovery
{
    public static IReadOnlyCollection<IXunitTestCase> FailInStrictMode(IReadOnlyCollection<IXunitTestCase> testCases, IFactAttribute attribute)
    {
        // A reason set explicitly (Skip = "flaky") wins, as it does for the skip.
        if (attribute is not IChaosTestAttribute { Skip: null } chaos || ChaosSkip.StrictFailure(chaos.Kind) is not { } failure)
        {
            return testCases;
        }

        return testCases
            .Select(IXunitTestCase (testCase) => new ExecutionErrorTestCase(
                testCase.TestMethod, testCase.TestCaseDisplayName, testCase.UniqueID, testCase.SourceFilePath, testCase.SourceLineNumber, failure))
            .ToList();
    }
}

/// <summary>Discovers <see cref="ChaosFactAttribute"/> tests: xUnit's own discovery, failed with the reason in strict mode.</summary>
internal sealed class ChaosFactDiscoverer : FactDiscoverer
{
    public override async ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute) =>
        ChaosDiscovery.FailInStrictMode(await base.Discover(discoveryOptions, testMethod, factAttribute), factAttribute);
}

/// <summary>Discovers <see cref="ChaosTheoryAttribute"/> tests: xUnit's own discovery, failed with the reason in strict mode.</summary>
internal sealed class ChaosTheoryDiscoverer : TheoryDiscoverer
{
    public override async ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute) =>
        ChaosDiscovery.FailInStrictMode(await base.Discover(discoveryOptions, testMethod, factAttribute), factAttribute);
}
