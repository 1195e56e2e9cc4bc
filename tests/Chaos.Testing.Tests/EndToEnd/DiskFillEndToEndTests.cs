using System.Globalization;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// Disk fill through the DSL on the process runtime, into the target container's <c>/tmp</c> (the fault's default). A
/// container's <c>/tmp</c> is its own folder on its node's root filesystem (a tmpfs of <c>NodeDiskSize</c>), as a
/// container's writable layer lies on its node's disk, so a percent of it means something. <c>df</c>, run by the test
/// process inside the target container's mount namespace (nsenter), sees it reach the percent during the hold and drop
/// after recovery; the fill file is gone.
/// </summary>
public sealed class DiskFillEndToEndTests
{
    [ProcessRuntimeFact]
    public async Task FillDisk_FillsTheContainersTmp_ToThePercent_AndRecoveryEmptiesIt()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o =>
        {
            o.Runtime = PodRuntime.Processes;
            o.Processes.NodeDiskSize = 32 * 1024 * 1024;
        });
        var web = await SleeperAsync(cluster, "web");
        // Running comes just before the container's command has exec'd into sleep: wait until it shows in the cgroup.
        var target = (await Eventually.SingleAsync(() => Task.FromResult<IList<int>>([.. CgroupProcesses(web).Where(p => p.Command == "sleep").Select(p => p.Pid)])));
        var before = UsedFraction(target);

        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", On("web").FillDisk(o => o.Percent = 60).Held(2));
        var during = Files(target);
        var peak = 0.0;
        while (!run.IsCompleted)
        {
            peak = Math.Max(peak, UsedFraction(target));
            await Task.WhenAny(run, Task.Delay(100));
        }

        var result = await run;
        var after = UsedFraction(target);

        Console.WriteLine($"df /tmp in the target: {before:P1} before, {peak:P1} at most during, {after:P1} after; /tmp during: {during.ReplaceLineEndings(" ")}; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        peak.Should().BeInRange(0.58, 0.61, "the payload filled the filesystem of the target's /tmp to 60% (rounded down to a block)");
        during.Should().Contain($"chaos-fill-{result.ExperimentId}");
        after.Should().BeLessThan(before + 0.01, "recovery deleted the fill file");
        Files(target).Should().NotContain("chaos-fill-", "no fill file is left in the target's /tmp");
    }

    /// <summary>How full the filesystem of /tmp is, as <c>df</c> inside the container's mount namespace counts it: used / (used + available).</summary>
    private static double UsedFraction(int pid)
    {
        var output = Run("nsenter", "--target", pid.ToString(CultureInfo.InvariantCulture), "--mount", "df", "-P", "/tmp");
        var fields = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        fields.Should().HaveCount(6, $"df printed its POSIX line: {output}");
        var (used, available) = (double.Parse(fields[2], CultureInfo.InvariantCulture), double.Parse(fields[3], CultureInfo.InvariantCulture));
        return used / (used + available);
    }

    /// <summary>The names in /tmp as the container sees it.</summary>
    private static string Files(int pid) => Run("nsenter", "--target", pid.ToString(CultureInfo.InvariantCulture), "--mount", "ls", "-a", "/tmp");
}
