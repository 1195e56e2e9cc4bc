using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Engine;

/// <summary>
/// The hold is timed from the end of the injection. A payload's own timer starts when it installs, so a hold that
/// started only after the probes' first sample under the fault (a slow sample: exactly what a working fault causes)
/// ended seconds after the payload had removed the fault, and the probes' broken share was averaged over time without it.
/// </summary>
public sealed class HoldTimingTests
{
    [Fact]
    public async Task TheWaitForTheProbesFirstSampleUnderTheFault_IsPartOfTheHold_NotAddedToIt()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var slowNext = 0;

        // The first sample after the injection takes 6 s, longer than the 3 s hold.
        var probe = SteadyState.Custom("slow under the fault", async ct =>
        {
            if (Interlocked.Exchange(ref slowNext, 0) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(6), ct);
            }

            return true;
        }, TimeSpan.FromMilliseconds(100)).During();
        var result = await Experiment.On(Nodes.Named("node-1"))
            .Inject((_, _) => { Volatile.Write(ref slowNext, 1); return Task.CompletedTask; }, (_, _) => Task.CompletedTask, "mark")
            .For(TimeSpan.FromSeconds(3))
            .Verify(probe)
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        var injected = result.Timeline.First(e => e.Phase == "inject").At;
        var recovered = result.Timeline.First(e => e.Phase == "recover").At;

        // Before, the hold started after that sample: recovery came 6 + 3 = 9 s after the injection at the earliest.
        (recovered - injected).Should().BeLessThan(TimeSpan.FromSeconds(8.5),
            "the 6 s spent waiting for the first sample under the fault count towards the 3 s hold, which is then over:\n" + result.ToReport());
        result.Timeline.Should().Contain(e => e.Phase == "hold" && e.Message.Contains("spent waiting for the probes' first sample after injection", StringComparison.Ordinal));
    }
}
