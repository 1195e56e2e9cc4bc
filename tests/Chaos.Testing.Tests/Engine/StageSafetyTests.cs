using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Engine;

/// <summary><c>.On(x).WithSafety(...)</c> before the fault compiles and counts, like after it.</summary>
public sealed class StageSafetyTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    [Fact]
    public async Task WithSafety_BeforeTheFault_IsCarriedIntoTheExperiment()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var refused = () => Experiment.On(Cart).All().Kill().DryRun().RunAsync(cluster.Client);
        await refused.Should().ThrowAsync<ChaosRefusedException>("the default guards refuse killing every cart pod");

        var result = await Experiment.On(Cart).All()
            .WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0))
            .Kill().DryRun().RunAsync(cluster.Client);

        result.Affected.Should().HaveCount(3);
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public void WithSafety_OnBothStages_AppliesBothInOrder()
    {
        var experiment = Experiment.On(Nodes.Named("node-1"))
            .WithSafety(s => s.MaxPercentage = 100)
            .Drain()
            .WithSafety(s => s.MinHealthyRemaining = 0);

        experiment.Safety.MaxPercentage.Should().Be(100);
        experiment.Safety.MinHealthyRemaining.Should().Be(0);
    }
}
