using System.Diagnostics;
using System.Globalization;
using Chaos.Testing.Emulator.Runtime.Processes;
using Xunit.Abstractions;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>Runs alone: the CPU measurement must not compete with the other tests' containers.</summary>
[CollectionDefinition(nameof(ContainerLimitsTests), DisableParallelization = true)]
public sealed class ContainerLimitsRunAlone;

/// <summary>A container's memory and CPU limits hold: its cgroup enforces them.</summary>
[Collection(nameof(ContainerLimitsTests))]
public sealed class ContainerLimitsTests(ITestOutputHelper output) : ContainerTest
{
    [RootFact("python3")]
    public async Task MemoryLimit_OomKillsTheContainer()
    {
        var launch = Launch("python3", "-c", "data = 'x' * (200 * 1024 * 1024)\nprint('survived', len(data))") with { MemoryLimitBytes = 32 * 1024 * 1024 };

        var (exit, lines) = await RunToEnd(launch);

        exit.Should().Be(exit with { ExitCode = 137, Signal = 9, Reason = "OOMKilled" });
        lines.Should().NotContain(l => l.Text.StartsWith("survived", StringComparison.Ordinal));
    }

    [RootFact("python3")]
    public async Task PodMemoryLimit_HoldsAContainerWithoutALimitOfItsOwn()
    {
        // As an ephemeral container: no limit of its own, in the pod's cgroup, which has the sum of the containers' limits.
        var launch = Launch("python3", "-c", "data = 'x' * (200 * 1024 * 1024)\nprint('survived', len(data))") with { PodLimits = (32 * 1024 * 1024, null) };

        var (exit, lines) = await RunToEnd(launch);

        exit.Should().Be(exit with { ExitCode = 137, Signal = 9, Reason = "OOMKilled" });
        lines.Should().NotContain(l => l.Text.StartsWith("survived", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task MemoryLimit_ASigkillWithoutOom_IsNotOomKilled()
    {
        var launch = Launch("sleep", "600") with { MemoryLimitBytes = 32 * 1024 * 1024 };
        var container = Start(launch);

        await container.StopAsync(TimeSpan.Zero);

        (await container.Exited).Should().Match<ContainerExit>(e => e.ExitCode == 137 && e.Reason == "Error");
    }

    [RootFact]
    public async Task CpuLimit_HoldsABusyLoopToItsShare()
    {
        var limited = Start(Launch("sh", "-c", "while :; do :; done") with { CpuLimitMillicores = 200 });
        var control = Start(Launch("sh", "-c", "while :; do :; done"));
        QuotaOf(limited).Should().Be((20_000, 100_000), "200m is 20 ms of CPU per 100 ms period");

        var (limitedShare, controlShare) = await Shares(limited, control, TimeSpan.FromSeconds(2));
        output.WriteLine($"CPU share over 2 s: limited {limitedShare:0.000}, unlimited {controlShare:0.000}; load {File.ReadAllText("/proc/loadavg").Trim()}");

        limitedShare.Should().BeLessThan(0.35, "the quota holds the loop to about 20% of one CPU");
        if (controlShare >= 0.35)
        {
            // The machine had CPU to spare (the unlimited loop got it): the limited loop was held back, not starved.
            limitedShare.Should().BeGreaterThan(0.08);
            Throttled(limited).Should().BeGreaterThan(0, "the quota ran out and the loop waited");
        }
    }

    private static async Task<(double Limited, double Control)> Shares(ContainerProcess limited, ContainerProcess control, TimeSpan window)
    {
        var (limitedBefore, controlBefore) = (limited.Cgroup!.CpuUsage()!.Value, control.Cgroup!.CpuUsage()!.Value);
        var wall = Stopwatch.StartNew();
        await Task.Delay(window);
        var (limitedAfter, controlAfter) = (limited.Cgroup.CpuUsage()!.Value, control.Cgroup.CpuUsage()!.Value);
        var elapsed = wall.Elapsed.TotalSeconds;
        return ((limitedAfter - limitedBefore).TotalSeconds / elapsed, (controlAfter - controlBefore).TotalSeconds / elapsed);
    }

    private static (long Quota, long Period) QuotaOf(ContainerProcess container)
    {
        var layout = Cgroups.Layout!;
        var cpu = container.Cgroup!.Directories.Single(d => d.StartsWith(layout.Cpu + "/", StringComparison.Ordinal));
        if (layout.Unified)
        {
            var max = File.ReadAllText(Path.Combine(cpu, "cpu.max")).Split(' ');
            return (long.Parse(max[0], CultureInfo.InvariantCulture), long.Parse(max[1], CultureInfo.InvariantCulture));
        }

        return (long.Parse(File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")), CultureInfo.InvariantCulture),
            long.Parse(File.ReadAllText(Path.Combine(cpu, "cpu.cfs_period_us")), CultureInfo.InvariantCulture));
    }

    private static long Throttled(ContainerProcess container)
    {
        var layout = Cgroups.Layout!;
        var cpu = container.Cgroup!.Directories.Single(d => d.StartsWith(layout.Cpu + "/", StringComparison.Ordinal));
        return File.ReadAllLines(Path.Combine(cpu, "cpu.stat")).Select(l => l.Split(' '))
            .Where(f => f[0] == "nr_throttled").Select(f => long.Parse(f[1], CultureInfo.InvariantCulture)).Single();
    }
}
