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

    private sealed class StrictK3sFixture() : ChaosClusterFixture(new ChaosClusterOptions { Kind = ChaosClusters.K3s, Strict = true });
}
