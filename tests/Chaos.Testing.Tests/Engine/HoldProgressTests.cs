using Chaos.Testing.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Testing.Tests.Engine;

/// <summary>
/// Between "holding for 6s" and recovery the log tells what happens: each probe's transitions as they happen and a
/// progress line at the chosen interval. The hold runs on a test clock, driven forward by the test: no real waiting.
/// </summary>
public sealed class HoldProgressTests
{
    [Fact]
    public async Task Hold_LogsProbeTransitionsAsTheyHappen_AndAProgressLineAtTheInterval()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logger = new StructuredLogger();
        var broken = 0;
        var checkout = SteadyState.Custom("checkout", _ => Task.FromResult(Volatile.Read(ref broken) == 0), TimeSpan.FromMilliseconds(500)).During(tolerance: 1);
        var run = Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .Inject((_, _) => Task.CompletedTask, (_, _) => Task.CompletedTask, "mark")
            .For(TimeSpan.FromSeconds(6))
            .Verify(checkout)
            .WithProgressInterval(TimeSpan.FromSeconds(1.5))
            .WithTimeProvider(clock)
            .WithLogger(logger)
            .RunAsync(cluster.Client);

        await DriveUntilAsync(clock, run, () => logger.Of(ChaosLogEvents.Hold).Count > 0, "the hold began");
        var holdStart = clock.GetUtcNow();
        Volatile.Write(ref broken, 1);
        await DriveUntilAsync(clock, run, () => logger.Of(ChaosLogEvents.ProbeBroken).Count > 0, "the probe's break was logged");
        await DriveUntilAsync(clock, run, () => logger.Of(ChaosLogEvents.HoldProgress).Count > 0, "a progress line");
        Volatile.Write(ref broken, 0);
        await DriveUntilAsync(clock, run, () => logger.Of(ChaosLogEvents.ProbeRecovered).Count > 0, "the probe's recovery was logged");
        await DriveUntilAsync(clock, run, () => run.IsCompleted, "the run's end");
        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        var brokeAt = logger.Of(ChaosLogEvents.ProbeBroken).Should().ContainSingle().Subject;
        brokeAt.Level.Should().Be(LogLevel.Information);
        brokeAt.Fields["Probe"].Should().Be("checkout");
        brokeAt.Fields["Observed"].Should().Be("false");
        ((DateTimeOffset)brokeAt.Fields["At"]!).Should().BeOnOrAfter(holdStart, "it broke once the test broke it, during the hold");
        var recoveredAt = logger.Of(ChaosLogEvents.ProbeRecovered).Should().ContainSingle().Subject;
        recoveredAt.Fields["Observed"].Should().Be("true");
        ((double)recoveredAt.Fields["BrokenSeconds"]!).Should().BeGreaterThan(0);

        var progress = logger.Of(ChaosLogEvents.HoldProgress);
        var elapsed = progress.Select(p => (double)p.Fields["ElapsedSeconds"]!).ToList();
        progress.Count.Should().BeInRange(2, 4, "a line every 1.5 s of a 6 s hold, the last before it ends: {0}", string.Join(" | ", progress.Select(p => p.Message)));
        elapsed[0].Should().BeGreaterThanOrEqualTo(1.5);
        elapsed.Zip(elapsed.Skip(1), (a, b) => b - a).Should().OnlyContain(gap => gap >= 1.499, "one line per interval (1.5 s, to rounding)");
        progress.Should().OnlyContain(p => Math.Abs((double)p.Fields["ElapsedSeconds"]! + (double)p.Fields["RemainingSeconds"]! - 6) < 0.001);
        progress[0].Message.Should().Contain("\"checkout\" broken for", "the probe was broken at the first line");
        logger.Entries.Select(e => e.Id).Should().ContainInOrder(ChaosLogEvents.Hold, ChaosLogEvents.ProbeBroken, ChaosLogEvents.HoldProgress, ChaosLogEvents.ProbeRecovered, ChaosLogEvents.Recover);
    }

    [Fact]
    public void WithProgressInterval_ZeroOrNegative_IsInvalid_AndInfiniteTurnsItOff()
    {
        var kill = Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill();

        kill.WithProgressInterval(TimeSpan.Zero).Validate().Should().ContainSingle().Which.Should().StartWith("ProgressInterval: WithProgressInterval() needs more than 0");
        kill.WithProgressInterval(Timeout.InfiniteTimeSpan).Validate().Should().BeEmpty();
        kill.WithProgressInterval(TimeSpan.FromSeconds(1)).Validate().Should().BeEmpty();
    }

    /// <summary>Moves the test clock on in small steps, with a little real time between them for the run's own I/O, until <paramref name="done"/>.</summary>
    private static async Task DriveUntilAsync(FakeTimeProvider clock, Task run, Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!done())
        {
            if (run.IsCompleted && !done())
            {
                await run.WaitAsync(TimeSpan.Zero).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw new InvalidOperationException($"the run ended before {what}: {run.Exception?.ToString() ?? "no exception"}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waiting for {what}: 30 s passed");
            }

            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10);
        }
    }
}
