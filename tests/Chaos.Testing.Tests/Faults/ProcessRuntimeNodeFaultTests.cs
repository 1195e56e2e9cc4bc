using System.Globalization;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.EndToEnd;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// Node faults through the public DSL on the emulator's process runtime, where their payloads really run: the node
/// disk fill fills the node's root (a tmpfs of NodeDiskSize, not this machine's disk), the node CPU stress loads the
/// node's cgroup, a kill from the node (hostPID) restarts the container; each is gone after recovery, and after a
/// cancellation mid-hold.
/// </summary>
public sealed class ProcessRuntimeNodeFaultTests
{
    private const long NodeDisk = 32 * 1024 * 1024;
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(90);

    [ProcessRuntimeFact]
    public async Task NodeDiskFill_FillsTheNodesRoot_ToThePercent_AndRecoveryEmptiesIt()
    {
        await using var cluster = await StartAsync();
        var nodeRoot = Path.Combine(StateFolder(cluster), "nodes", "node-2");

        var run = Experiment.On(Nodes.Named("node-2")).FillDisk(o => o.Percent = 60).For(TimeSpan.FromSeconds(3)).RunAsync(cluster.Client);
        var peak = 0.0;
        while (!run.IsCompleted)
        {
            peak = Math.Max(peak, UsedFraction(nodeRoot));
            await Task.WhenAny(run, Task.Delay(20));
        }

        var result = await run;
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        peak.Should().BeInRange(0.55, 0.65, "the payload filled the node's root to 60% while the fault held");
        UsedFraction(nodeRoot).Should().BeLessThan(0.05, "recovery deleted the fill file");
        Directory.GetFiles(Path.Combine(nodeRoot, "var/tmp")).Should().BeEmpty();
        Directory.GetFiles("/var/tmp", $"chaos-fill-{result.ExperimentId}").Should().BeEmpty("this machine's /var/tmp is not the node's");
    }

    [ProcessRuntimeFact]
    public async Task NodeCpuStress_LoadsTheNodesCgroup_AndRecoveryStopsIt()
    {
        await using var cluster = await StartAsync();
        var run = Path.GetFileName(StateFolder(cluster));

        var running = Experiment.On(Nodes.Named("node-2")).StressCpu(o => o.Load = 100).For(TimeSpan.FromSeconds(5)).RunAsync(cluster.Client);
        double node2 = 0, node1 = 0;
        while (!running.IsCompleted)
        {
            // Read while it runs: the node's cgroup goes with its last pod.
            (node2, node1) = (Math.Max(node2, CpuSeconds($"cte-{run}/node-2")), Math.Max(node1, CpuSeconds($"cte-{run}/node-1")));
            await Task.WhenAny(running, Task.Delay(50));
        }

        var result = await running;
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        node2.Should().BeGreaterThan(0.25, "stress-ng ran in a pod of node-2, in that node's cgroup");
        node1.Should().BeLessThan(0.05, "nothing ran on node-1");
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty("the payload pods are deleted");
        await Eventually.TrueAsync(() => Task.FromResult(Processes($"cte-{run}/node-2").Count == 0), "no process is left in node-2's cgroup", Slow);
    }

    public static TheoryData<string> NodePayloadFaults => ["node-cpu-stress", "node-disk-fill"];

    /// <summary>
    /// A node payload fault held for minutes, its run cancelled once the hold has begun and the effect is seen on node-2:
    /// the documented outcome (Aborted, "cancelled during hold", recovered and verified), the payload pods deleted, no
    /// process left in node-2's cgroup nor anywhere carrying the experiment id, and no fill file.
    /// </summary>
    [ProcessRuntimeTheory]
    [MemberData(nameof(NodePayloadFaults))]
    public async Task NodeFault_CancelledMidHold_TheRunIsAborted_AndNothingOfThePayloadRemains(string fault)
    {
        await using var cluster = await StartAsync();
        var nodeRoot = Path.Combine(StateFolder(cluster), "nodes", "node-2");
        var (node2, node1) = ($"cte-{cluster.ProcessRunId}/node-2", $"cte-{cluster.ProcessRunId}/node-1");
        var hold = new HoldWatch(TimeSpan.FromMinutes(3));
        var chaos = Experiment.On(Nodes.Named("node-2"));
        var experiment = (fault == "node-cpu-stress" ? chaos.StressCpu(o => o.Load = 100) : chaos.FillDisk(o => o.Percent = 60))
            .For(TimeSpan.FromMinutes(3)).WithTimeProvider(hold);
        using var stop = new CancellationTokenSource();

        var run = experiment.RunAsync(cluster.Client, stop.Token);
        await hold.UntilHoldingAsync(run, Slow, async () => string.Join(", ", (await cluster.Client.CoreV1.ListNamespacedPodAsync("default")).Items.Select(p => $"{p.Metadata.Name} {p.Status?.Phase}")));
        var id = (await cluster.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "chaos.testing/experiment")).Items.First().Metadata.Labels["chaos.testing/experiment"];
        // The effect, waited for while the fault holds (a loaded machine gives stress-ng a small share of a core): a
        // quarter of a CPU-second in node-2's cgroup since the hold began, or node-2's root 55% full.
        var (cpu2, cpu1) = (CpuSeconds(node2), CpuSeconds(node1));
        double during = 0;
        await Eventually.TrueAsync(
            () => Task.FromResult((during = fault == "node-cpu-stress" ? CpuSeconds(node2) - cpu2 : UsedFraction(nodeRoot)) >= (fault == "node-cpu-stress" ? 0.25 : 0.55) || run.IsCompleted),
            $"the {fault} effect on node-2", Slow);
        var quiet = CpuSeconds(node1) - cpu1;
        var taggedDuring = Leftovers.TaggedOf(cluster, id);
        await stop.CancelAsync();
        var result = await run;

        Console.WriteLine($"{fault}: during {during:F2} (node-1 CPU {quiet:F2} s), tagged {string.Join("; ", taggedDuring)}; {result.Verdict}: {result.FailureReason}; {string.Join(" | ", result.Affected.Select(a => a.Action))}");
        if (fault == "node-cpu-stress")
        {
            during.Should().BeGreaterThanOrEqualTo(0.25, "stress-ng loaded node-2's cgroup during the hold");
            quiet.Should().BeLessThan(0.05, "nothing ran on node-1");
        }
        else
        {
            during.Should().BeInRange(0.55, 0.65, "the payload filled node-2's root to 60% during the hold");
        }

        taggedDuring.Should().NotBeEmpty("the check sees the payload's processes or files while it holds");
        result.Verdict.Should().Be(ExperimentVerdict.Aborted, result.ToReport());
        result.FailureReason.Should().Be("cancelled during hold");
        result.NotRecovered.Should().BeEmpty();
        result.Affected.Should().Contain(a => a.Action.Contains("cleaned up by", StringComparison.Ordinal) && a.Action.EndsWith("(verified)", StringComparison.Ordinal), result.ToReport());
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty("the payload and cleanup pods are deleted");
        await Eventually.TrueAsync(() => Task.FromResult(Processes(node2).Count == 0), "no process is left in node-2's cgroup", Slow);
        Leftovers.TaggedOf(cluster, id).Should().BeEmpty("recovery stopped every process of the payload and removed its files");
        UsedFraction(nodeRoot).Should().BeLessThan(0.05, "node-2's root is empty again");
    }

    [ProcessRuntimeFact]
    public async Task ContainerKillFromTheNode_FindsTheContainerByItsId_AndItRestartsWithExit137()
    {
        await using var cluster = await StartAsync();
        var client = cluster.Client;
        await client.CoreV1.CreateNamespacedPodAsync(Pod("victim", "node-1", ["sh", "-c", "exec sleep 3600"], "Always"), "default");
        var victim = await WaitAsync(client, "victim", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null);
        var script = new PayloadScript("kill-from-node").AddContainerKillFromHost(new ContainerKillSpec("KILL"), victim.Status.ContainerStatuses.Single().ContainerID);

        var killer = Pod("killer", "node-1", script.Command(script.Render(TimeSpan.Zero)), "Never");
        killer.Spec.HostPID = true;
        await client.CoreV1.CreateNamespacedPodAsync(killer, "default");

        var restarted = await WaitAsync(client, "victim", p => p.Status?.ContainerStatuses?.SingleOrDefault() is { RestartCount: >= 1, LastState.Terminated: not null });
        restarted.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode.Should().Be(137, "SIGKILL from the node's PID namespace reaches the container's init");
        await WaitAsync(client, "killer", p => p.Status?.Phase == "Succeeded");
        using var log = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync("killer", "default"));
        (await log.ReadToEndAsync()).Should().Contain("chaos: sending SIGKILL to process").And.Contain("chaos: installed");
    }

    private static Task<KubernetesEmulator> StartAsync() => KubernetesEmulator.StartAsync(o =>
    {
        o.Runtime = PodRuntime.Processes;
        o.Processes.NodeDiskSize = NodeDisk;
        o.Processes.RestartBackOff = TimeSpan.FromSeconds(1);
    });

    /// <summary>The emulator's own state folder (other tests of this process run emulators of their own at the same time).</summary>
    private static string StateFolder(KubernetesEmulator cluster) => $"/run/chaos-testing-emulator/{cluster.ProcessRunId}";

    /// <summary>How full the node root is, 0 while it is not mounted (the folder then lies on this machine's disk, of another size).</summary>
    private static double UsedFraction(string nodeRoot)
    {
        var drive = new DriveInfo(nodeRoot);
        return Directory.Exists(nodeRoot) && drive.TotalSize == NodeDisk ? (double)(drive.TotalSize - drive.TotalFreeSpace) / drive.TotalSize : 0;
    }

    /// <summary>The CPU time a cgroup and its children used (cgroup v1 cpuacct or v2 cpu.stat).</summary>
    private static double CpuSeconds(string cgroup)
    {
        var v1 = $"/sys/fs/cgroup/cpuacct/{cgroup}/cpuacct.usage";
        if (File.Exists(v1))
        {
            return long.Parse(File.ReadAllText(v1).Trim(), CultureInfo.InvariantCulture) / 1e9;
        }

        var v2 = $"/sys/fs/cgroup/{cgroup}/cpu.stat";
        return File.Exists(v2)
            ? long.Parse(File.ReadAllLines(v2).Single(l => l.StartsWith("usage_usec ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture) / 1e6
            : 0;
    }

    private static List<string> Processes(string cgroup) =>
        new[] { "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup" }.Select(root => Path.Combine(root, cgroup)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "cgroup.procs", SearchOption.AllDirectories))
            .SelectMany(f => File.ReadAllLines(f)).Where(l => l.Length > 0).Distinct().ToList();

    private static V1Pod Pod(string name, string node, IList<string> command, string restartPolicy) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = node,
            RestartPolicy = restartPolicy,
            TerminationGracePeriodSeconds = 0,
            Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = command }],
        },
    };

    private static async Task<V1Pod> WaitAsync(IKubernetes client, string name, Func<V1Pod, bool> accept)
    {
        V1Pod? pod = null;
        await Eventually.TrueAsync(async () => accept(pod = await client.CoreV1.ReadNamespacedPodAsync(name, "default")), $"pod {name} to reach the state awaited", Slow);
        return pod!;
    }
}
