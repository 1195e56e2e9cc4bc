namespace Chaos.Testing.Xunit.V3.Tests;

/// <summary>Strict mode: an unavailable cluster fails the tests with the reason instead of skipping them.</summary>
public sealed class StrictModeTests
{
    private const string StrictSuffix = " (strict mode, CHAOS_STRICT: the test fails instead of skipping)";

    [Fact]
    public void Skip_StrictOption_DoesNotSkipAnUnavailableCluster_ButFailsIt()
    {
        var lenient = new ChaosClusterOptions { Kind = ChaosClusters.K3s, Strict = false };
        var strict = new ChaosClusterOptions { Kind = ChaosClusters.K3s, Strict = true };

        ChaosSkip.Reason(lenient).Should().Be(SkipTests.K3sMissing);
        ChaosSkip.StrictFailure(lenient).Should().BeNull();
        ChaosSkip.Reason(strict).Should().BeNull();
        ChaosSkip.StrictFailure(strict).Should().Be(SkipTests.K3sMissing + StrictSuffix);
        ChaosSkip.StrictFailure(new ChaosClusterOptions { Kind = ChaosClusters.Emulator, Strict = true }).Should().BeNull();
    }

    [Fact]
    public async Task Fixture_StrictAndUnavailable_FailsWithTheReason()
    {
        var fixture = new StrictK3sFixture();

        var initialize = async () => await fixture.InitializeAsync();

        (await initialize.Should().ThrowAsync<ChaosClusterUnavailableException>())
            .WithMessage(SkipTests.K3sMissing + " (strict mode, CHAOS_STRICT or ChaosClusterOptions.Strict: the tests fail instead of skipping)");
        await fixture.DisposeAsync();
    }

    private sealed class StrictK3sFixture() : ChaosClusterFixture(new ChaosClusterOptions { Kind = ChaosClusters.K3s, Strict = true });
}
