using System.Diagnostics;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// CPU and memory stress through the DSL on the process runtime, where stress-ng really runs in an ephemeral container
/// of the target pod: the pod's cgroup (which holds its ephemeral containers, as on a node) is read from the kernel's
/// files by the test process, during the hold and after recovery; no stress-ng process is left.
/// </summary>
public sealed class StressEndToEndTests
{
    private const long Mi = 1024 * 1024;

    [ProcessRuntimeFact]
    public async Task StressCpu_LoadsThePodsCgroup_NotAQuietPods_AndRecoveryStopsIt()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var web = await SleeperAsync(cluster, "web");
        var quiet = await SleeperAsync(cluster, "quiet");
        var processes = CgroupProcesses(web);

        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", On("web").StressCpu(o => o.Load = 100).Held(3));
        var (web0, quiet0) = (CpuSeconds(web), CpuSeconds(quiet));
        double during = 0, quietDuring = 0;
        while (!run.IsCompleted)
        {
            // Read while it runs: the payload's cgroup, a child of the pod's, goes when it ends.
            (during, quietDuring) = (CpuSeconds(web) - web0, CpuSeconds(quiet) - quiet0);
            await Task.WhenAny(run, Task.Delay(50));
        }

        var result = await run;
        var after0 = CpuSeconds(web);
        var quietWindow = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = CpuSeconds(web) - after0;

        Console.WriteLine($"CPU s: web during {during:F2}, quiet during {quietDuring:F3}, web {after:F3} in {quietWindow.Elapsed.TotalSeconds:F1} s after; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        during.Should().BeGreaterThan(0.3, "a stress-ng worker at 100% ran in the pod's cgroup for about 2 s (even at a load of 15 on 2 cores it gets ~0.2 CPU)");
        quietDuring.Should().BeLessThan(0.1, "nothing ran in the quiet pod");
        after.Should().BeLessThan(0.1, "recovery stopped stress-ng");
        NoStressLeft(web, processes, result.ExperimentId);
    }

    [ProcessRuntimeFact]
    public async Task StressMemory_HoldsTheBytesInThePodsCgroup_AndRecoveryReleasesThem()
    {
        const long Asked = 96 * Mi;
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var web = await SleeperAsync(cluster, "web");
        var (before, processes) = (MemoryBytes(web), CgroupProcesses(web));

        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", On("web").StressMemory(o => o.Bytes = Asked).Held(3));
        long charged = 0, resident = 0;
        while (!run.IsCompleted)
        {
            (charged, resident) = (Math.Max(charged, MemoryBytes(web) - before), Math.Max(resident, LargestResidentBytes(web, "stress-ng")));
            await Task.WhenAny(run, Task.Delay(50));
        }

        var result = await run;
        long after = 0;
        await Eventually.TrueAsync(() => Task.FromResult((after = MemoryBytes(web) - before) < 8 * Mi), "the pod's memory to be released", TimeSpan.FromSeconds(30));

        Console.WriteLine($"MiB: asked {Asked / Mi}, pod cgroup +{charged / (double)Mi:F1} at most during, largest stress-ng RSS {resident / (double)Mi:F1}, +{after / (double)Mi:F1} after; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        charged.Should().BeInRange(Asked * 95 / 100, Asked + 32 * Mi, "the workers' pages are charged to the pod's cgroup");
        resident.Should().BeInRange(Asked * 95 / 100, Asked + 32 * Mi, "the one worker holds the bytes resident (--vm-keep --vm-populate)");
        NoStressLeft(web, processes, result.ExperimentId);
    }

    /// <summary>
    /// As a kubelet does, the runtime limits the pod's cgroup to the sum of its containers' limits (every container has
    /// one), and the payload's ephemeral container sits in it: stress beyond it makes the kernel OOM-kill stress-ng's
    /// worker (oom_score_adj 1000), which stress-ng restarts; the target container is not killed, and the run passes.
    /// </summary>
    [ProcessRuntimeFact]
    public async Task StressMemory_BeyondThePodsLimit_TheKernelOomKillsTheWorker_NotTheTarget()
    {
        const long Limit = 64 * Mi;
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var limits = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } };
        var web = await SleeperAsync(cluster, "web", limits);
        var processes = CgroupProcesses(web);

        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", On("web").StressMemory(o => o.Bytes = 2 * Limit).Held(3));
        long peak = 0, kills = 0;
        while (!run.IsCompleted)
        {
            // Read while it runs: on cgroup v1 the count is the killed process's cgroup's, the payload's, gone after.
            (peak, kills) = (Math.Max(peak, MemoryBytes(web)), Math.Max(kills, OomKills(web)));
            await Task.WhenAny(run, Task.Delay(50));
        }

        var result = await run;
        var target = (await cluster.Client.CoreV1.ReadNamespacedPodAsync("web", "shop")).Status.ContainerStatuses.Single();

        Console.WriteLine($"pod cgroup peak {peak / (double)Mi:F1} MiB (limit {Limit / Mi}), OOM kills {kills}; target restarts {target.RestartCount}, last state {(target.LastState is null ? "none" : KubernetesJson.Serialize(target.LastState))}; {result.Verdict}: {string.Join(" | ", result.Affected.Select(a => a.Action))}");
        peak.Should().BeLessThanOrEqualTo(Limit, "the pod's cgroup holds its ephemeral containers, limited to the containers' sum");
        kills.Should().BePositive("the kernel OOM-killed in the pod's cgroup");
        target.RestartCount.Should().Be(0, "the OOM killer picked stress-ng's worker, not the target's process");
        target.State.Running.Should().NotBeNull();
        target.LastState?.Terminated.Should().BeNull();
        result.Verdict.Should().Be(ExperimentVerdict.Passed, "stress-ng restarted its killed worker and held until the end: " + result.ToReport());
        NoStressLeft(web, processes, result.ExperimentId);
    }

    /// <summary>No stress-ng of the experiment runs, in the pod's cgroup or anywhere on this machine, and the pod holds the processes it held before.</summary>
    private static void NoStressLeft(string podCgroup, IEnumerable<(int Pid, string Command)> before, string experimentId)
    {
        // By process id: a process's name changes when it execs (the launcher becomes sleep), its id does not.
        var after = CgroupProcesses(podCgroup);
        after.Select(p => p.Pid).Should().BeEquivalentTo(before.Select(p => p.Pid),
            "only the target container's processes (its launcher and sleep) are left in the pod: before {0}, after {1}", string.Join(", ", before), string.Join(", ", after));
        Run("pgrep", "-f", $"chaos-stress-{experimentId}").Should().BeEmpty("no stress-ng of the experiment runs on this machine");
    }
}
