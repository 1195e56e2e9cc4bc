using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Results;

/// <summary>Wording seen in a trial (issue 15): each test reproduces one line a user read.</summary>
public sealed class TrialWordingTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Affected_ClusterScopedObject_LogsWithoutANamespace()
    {
        var logger = new ListLogger();
        var recorder = new ExperimentRecorder(TimeProvider.System, logger);

        recorder.Affected("Node", null, "node-3", "cordoned");
        recorder.Affected("Pod", "shop", "cart-1", "killed");

        logger.Lines.Should().Equal("Information: Node node-3: cordoned ", "Information: Pod shop/cart-1: killed ");
    }

    [Fact]
    public void ToReport_ProbeThatNeverBroke_SaysSoInsteadOfRecoveredInZero()
    {
        var report = Result(TimeSpan.Zero).ToReport();

        report.Should().Contain("Probe \"deployment shop/cart available\" (before, recovers within 5s): held, never broke")
            .And.NotContain("recovered in 0 ms");
    }

    [Fact]
    public async Task Timeline_ProbeThatNeverBroke_SaysSoInsteadOfRecoveredZeroMsAfterInjection()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // Killing one of three never takes "at least one ready" below one: the probe holds throughout.
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).One().Kill()
            .Verify(SteadyState.PodsReady(Pods.In("shop").WithLabel("app", "cart"), 1).BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(cluster.Client);

        result.Timeline.Single(e => e.Phase == "check-after").Message.Should().Contain("held, never broke").And.NotContain("recovered 0 ms");
    }

    [Fact]
    public void ToReport_ProbeThatRecovered_SaysHowLong() =>
        Result(TimeSpan.FromMilliseconds(1500)).ToReport().Should().Contain("held, recovered in 1500 ms");

    private static ChaosResult Result(TimeSpan timeToRecovery) => new()
    {
        ExperimentId = "0123456789ab",
        Description = "kill one of pods in shop with labels app=cart",
        Verdict = ExperimentVerdict.Passed,
        Seed = 1,
        StartedAt = Start,
        FinishedAt = Start.AddSeconds(4),
        Probes = [new ProbeResult("deployment shop/cart available", "before, recovers within 5s", true, null, timeToRecovery, [new ProbeSample(Start, true, "ok")])],
        TimeToRecovery = timeToRecovery,
    };
}
