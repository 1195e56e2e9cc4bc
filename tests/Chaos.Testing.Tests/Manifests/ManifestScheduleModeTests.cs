using System.Collections.Concurrent;
using Chaos.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Chaos.Testing.Tests.Manifests.ManifestLoadingTests;

namespace Chaos.Testing.Tests.Manifests;

/// <summary>The long-running mode: unscheduled manifests once, scheduled ones each time their cron fires, until cancelled.</summary>
public sealed class ManifestScheduleModeTests
{
    [Fact]
    public async Task RunScheduled_RunsTheUnscheduledOnce_AndTheScheduledAtEachCronTime_UntilCancelled()
    {
        await using var cluster = await ShopCluster.StartAsync(replicas: 4);
        var set = ChaosManifest.Parse(string.Join("\n---\n",
            Manifest("once", "action: pod-kill\nnamespace: shop\nselector: { app: cart }"),
            Manifest("every-5-min", "action: pod-kill\nnamespace: shop\nselector: { app: cart }\nschedule: \"*/5 * * * *\"")));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 1, 0, TimeSpan.Zero));
        var results = new ConcurrentQueue<ManifestRunResult>();
        using var stop = new CancellationTokenSource();
        var options = new ManifestRunOptions
        {
            Time = clock,
            // The schedule runs on the fake clock; each experiment on the real one (its waits are real).
            Configure = (_, experiment) => experiment.WithTimeProvider(TimeProvider.System).WithSafety(s => s.MaxPercentage = 100),
            Progress = new SyncProgress(results.Enqueue),
        };

        var mode = set.RunScheduledAsync(cluster.Client, options, stop.Token);

        await Eventually.TrueAsync(() => Task.FromResult(results.Count == 1), "the unscheduled manifest ran at once");
        results.Single().Manifest.Name.Should().Be("once");
        clock.Advance(TimeSpan.FromMinutes(3)); // 10:04: not yet
        await Task.Delay(300);
        results.Should().HaveCount(1, "the cron fires at 10:05, not before");
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:05
        await Eventually.TrueAsync(() => Task.FromResult(results.Count == 2), "the 10:05 run");
        clock.Advance(TimeSpan.FromMinutes(5)); // 10:10
        await Eventually.TrueAsync(() => Task.FromResult(results.Count == 3), "the 10:10 run");
        stop.Cancel();
        var batch = await mode;

        batch.Results.Select(r => r.Manifest.Name).Should().Equal("once", "every-5-min", "every-5-min");
        batch.Results.Should().OnlyContain(r => r.Outcome == ManifestOutcome.Passed, string.Join("\n", batch.Results));
        batch.Results[1].Notes.Should().Contain(n => n.StartsWith("run by its schedule \"*/5 * * * *\" (next: 2026-12-07 10:10:00Z)", StringComparison.Ordinal));
        batch.Results[0].AffectedPods.Should().ContainSingle();
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool later).</summary>
    private sealed class SyncProgress(Action<ManifestRunResult> report) : IProgress<ManifestRunResult>
    {
        public void Report(ManifestRunResult value) => report(value);
    }
}
