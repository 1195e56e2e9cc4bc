using Xunit.Abstractions;
using Xunit.Sdk;

namespace Chaos.Testing.Xunit.Tests;

/// <summary>Strict mode: an unavailable cluster fails the tests with the reason instead of skipping them.</summary>
public sealed class StrictModeTests
{
    private const string K3sMissing =
        "Chaos cluster unavailable: k3s was requested (CHAOS_CLUSTER=k3s) but the Chaos.Testing.K3s package is not referenced by this test project";

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData(" 0 ", false)]
    [InlineData("False", false)]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("ture", true)]
    public void ParseStrict_VariableValue_OnUnlessEmptyZeroOrFalse(string? value, bool strict) =>
        ChaosClusterOptions.ParseStrict(value).Should().Be(strict);

    [Fact]
    public void Skip_StrictOption_DoesNotSkipAnUnavailableCluster()
    {
        ChaosSkip.Reason(new ChaosClusterOptions { Kind = ChaosClusters.K3s, Strict = false }).Should().Be(K3sMissing);
        ChaosSkip.Reason(new ChaosClusterOptions { Kind = ChaosClusters.K3s, Strict = true }).Should().BeNull();
    }

    [Fact]
    public async Task Fixture_StrictAndUnavailable_FailsWithTheReason()
    {
        var fixture = new StrictK3sFixture();

        var initialize = fixture.InitializeAsync;

        (await initialize.Should().ThrowAsync<ChaosClusterUnavailableException>())
            .WithMessage(K3sMissing + " (strict mode, CHAOS_STRICT or ChaosClusterOptions.Strict: the tests fail instead of skipping)");
        await fixture.DisposeAsync();
    }

    [Theory]
    [InlineData(nameof(Samples.NeedsK3s), true)]
    [InlineData(nameof(Samples.NeedsK3sTheory), true)]
    [InlineData(nameof(Samples.NeedsK3s), false)]
    [InlineData(nameof(Samples.NeedsK3sTheory), false)]
    public void Discovery_StrictAndUnavailable_GivesAFailingCaseWithTheReason_OutsideAnyCollection(string method, bool strict)
    {
        var cases = Discover(method, strict);

        if (strict)
        {
            cases.Should().ContainSingle().Which.Should().BeOfType<ExecutionErrorTestCase>()
                .Which.ErrorMessage.Should().Be(K3sMissing + " (strict mode, CHAOS_STRICT or ChaosClusterOptions.Strict: the test fails instead of skipping)");
        }
        else
        {
            cases.Should().ContainSingle().Which.SkipReason.Should().Be(K3sMissing, "without strict mode the test is skipped with the reason");
        }
    }

    [Fact]
    public void Discovery_StrictButSkippedByTheAuthor_StaysSkipped() =>
        Discover(nameof(Samples.NeedsK3sSkippedByHand), strict: true)
            .Should().ContainSingle().Which.SkipReason.Should().Be("by hand");

    [Fact]
    public void Discovery_StrictAndAvailable_GivesTheUsualCase()
    {
        var single = Discover(nameof(Samples.OnTheEmulator), strict: true).Should().ContainSingle().Subject;

        single.Should().NotBeOfType<ExecutionErrorTestCase>();
        single.SkipReason.Should().BeNull();
    }

    private static List<IXunitTestCase> Discover(string method, bool strict)
    {
        var testMethod = new TestMethod(
            new TestClass(new TestCollection(new TestAssembly(Reflector.Wrap(typeof(Samples).Assembly)), null, "strict"), Reflector.Wrap(typeof(Samples))),
            Reflector.Wrap(typeof(Samples).GetMethod(method, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)!));
        var attribute = testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Single();
        var options = new NoDiscoveryOptions();
        ChaosStrictFailure.StrictForTests.Value = strict;
        try
        {
            IXunitTestCaseDiscoverer discoverer = method.Contains("Theory", StringComparison.Ordinal)
                ? new ChaosTheoryDiscoverer(new NullMessageSink())
                : new ChaosFactDiscoverer(new NullMessageSink());
            return [.. discoverer.Discover(options, testMethod, attribute)];
        }
        finally
        {
            ChaosStrictFailure.StrictForTests.Value = null;
        }
    }

    /// <summary>Discovery options with nothing set: xUnit's defaults apply.</summary>
    private sealed class NoDiscoveryOptions : ITestFrameworkDiscoveryOptions
    {
        public TValue GetValue<TValue>(string name) => default!;

        public void SetValue<TValue>(string name, TValue value) { }
    }

#pragma warning disable xUnit1000 // private on purpose: the runner must not discover these, the tests above do
    /// <summary>Methods discovered by the tests above only: xUnit v2 does not look at private classes.</summary>
    private static class Samples
    {
        [ChaosFact(Kind = ChaosClusters.K3s)]
        public static void NeedsK3s() { }

        [ChaosTheory(Kind = ChaosClusters.K3s)]
        [InlineData(1)]
        public static void NeedsK3sTheory(int value) => _ = value;

        [ChaosFact(Kind = ChaosClusters.K3s, Skip = "by hand")]
        public static void NeedsK3sSkippedByHand() { }

        [ChaosFact(Kind = ChaosClusters.Emulator)]
        public static void OnTheEmulator() { }
    }
#pragma warning restore xUnit1000

    private sealed class StrictK3sFixture() : ChaosClusterFixture(new ChaosClusterOptions { Kind = ChaosClusters.K3s, Strict = true });
}
