using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Reports;

/// <summary>The phases a real run records: what the report's timeline draws as bands.</summary>
public sealed class ResultPhasesTests
{
    [Fact]
    public async Task RunAsync_RecordsEachPhaseWithItsStartAndEnd_InOrderAndWithoutGaps()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var hold = TimeSpan.FromMilliseconds(300);

        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).One().Kill().For(hold)
            .Verify(SteadyState.PodsReady(Pods.In("shop").WithLabel("app", "cart"), 1).BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(cluster.Client);

        result.Phases.Select(p => p.Name).Should().Equal("plan", "check-before", "inject", "hold", "recover", "check-after");
        result.Phases[0].StartedAt.Should().Be(result.StartedAt);
        result.Phases[^1].FinishedAt.Should().Be(result.FinishedAt);
        result.Phases.Zip(result.Phases.Skip(1)).Should().OnlyContain(pair => pair.First.FinishedAt == pair.Second.StartedAt, "each phase ends where the next begins");
        // The wait for the probes' first sample after injection is part of the hold but lies in the inject band (longer on
        // a loaded machine): measured from the moment the pod was killed, the hold band ends no sooner than the hold.
        var holdBand = result.Phases.Single(p => p.Name == "hold");
        holdBand.Duration.Should().BePositive();
        // (Less 20 ms: a timer counts whole milliseconds of a coarser clock than the one the result's times are read from.)
        (holdBand.FinishedAt - result.Affected.Single().At).Should().BeGreaterThanOrEqualTo(hold - TimeSpan.FromMilliseconds(20), "the fault is held for the hold from the moment it was applied");
        result.Affected.Should().ContainSingle().Which.At.Should()
            .BeOnOrAfter(result.Phases.Single(p => p.Name == "inject").StartedAt).And.BeOnOrBefore(result.Phases.Single(p => p.Name == "hold").StartedAt);
    }

    [Fact]
    public async Task RunAsync_DryRun_HasOnlyThePlanPhase()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).One().Kill().DryRun().RunAsync(cluster.Client);

        result.Phases.Should().ContainSingle().Which.Should().Be(new PhaseSpan("plan", result.StartedAt, result.FinishedAt));
    }
}
