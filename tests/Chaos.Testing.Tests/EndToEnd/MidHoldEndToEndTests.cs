using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// Every payload fault on the process runtime, ended mid-hold: by cancelling the run's token (the documented outcome:
/// verdict Aborted, "cancelled during hold", the fault recovered and verified) or by the target container restarting (its
/// main process killed from this process; the engine removes the fault from that pod at once, while the run still
/// holds). Either way the pod's namespace, its processes and files are checked from the host (<see cref="Leftovers"/>):
/// during the hold they must show the fault's own artifact (so the check sees what it looks for, and a payload that
/// installs nothing fails), after it nothing of the payload. HTTP chaos and packet loss are also measured from the test
/// process, during the hold and after.
/// </summary>
public sealed class MidHoldEndToEndTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Faults => [.. MidHoldFaults.Names];

    [ProcessRuntimeTheory]
    [MemberData(nameof(Faults))]
    public async Task CancelledMidHold_TheRunIsAborted_AndNothingOfThePayloadRemains(string fault)
    {
        await using var cluster = await StartAsync();
        var (ip, before) = await MidHoldFaults.TargetAsync(cluster.Client, fault);
        using var stop = new CancellationTokenSource();
        var hold = new HoldWatch(MidHoldFaults.Hold);
        var experiment = MidHoldFaults.Experiment(fault).WithTimeProvider(hold);

        var run = experiment.RunAsync(cluster.Client, stop.Token);
        var id = await HoldingAsync(cluster.Client, run, hold);
        var during = Leftovers.Read(cluster, ip, before, id);
        var effect = await MidHoldFaults.EffectAsync(fault, ip);
        await stop.CancelAsync();
        var result = await run;
        var after = Leftovers.Read(cluster, ip, before, id);

        Console.WriteLine($"{fault}: during {during}; after {after}; {result.Verdict}: {result.FailureReason}");
        during.Tagged.Concat(during.Network).Should().Contain(l => l.Contains(MidHoldFaults.Artifact(fault), StringComparison.Ordinal), "the check sees the fault while it holds");
        result.Verdict.Should().Be(ExperimentVerdict.Aborted, result.ToReport());
        result.FailureReason.Should().Be("cancelled during hold");
        result.NotRecovered.Should().BeEmpty();
        result.Affected.Should().Contain(a => a.Name == "web" && a.Action.EndsWith("fault removed (verified)", StringComparison.Ordinal), result.ToReport());
        after.IsEmpty.Should().BeTrue($"recovery removed everything of the payload, but left: {after}");
        await PayloadsEndedAsync(cluster.Client);
        if (MidHoldFaults.Probed.Contains(fault))
        {
            effect.Should().BeTrue("the effect is seen from the test process during the hold");
        }

        await EffectGoneAsync(fault, ip);
    }

    [ProcessRuntimeTheory]
    [MemberData(nameof(Faults))]
    public async Task TargetRestartedMidHold_TheFaultIsRemovedAtOnce_AndNothingOfThePayloadRemains(string fault)
    {
        await using var cluster = await StartAsync();
        var (ip, before) = await MidHoldFaults.TargetAsync(cluster.Client, fault);
        using var stop = new CancellationTokenSource();
        var hold = new HoldWatch(MidHoldFaults.Hold);
        var experiment = MidHoldFaults.Experiment(fault).WithTimeProvider(hold);

        var run = experiment.RunAsync(cluster.Client, stop.Token);
        var id = await HoldingAsync(cluster.Client, run, hold);
        var during = Leftovers.Read(cluster, ip, before, id);
        var effect = await MidHoldFaults.EffectAsync(fault, ip);
        var killed = await KillMainAsync(cluster, cluster.Client);

        // The engine removes the fault from the pod while the run still holds: its ledger entry goes last.
        await Eventually.TrueAsync(async () => !HasEntry(await cluster.Client.CoreV1.ReadNamespacedPodAsync("web", "shop")) || run.IsCompleted, "the fault removed from the restarted pod", Slow);
        run.IsCompleted.Should().BeFalse("the fault is removed while the run holds, not by its recovery at the end");
        var after = Leftovers.Read(cluster, ip, before, id);
        await Eventually.TrueAsync(
            async () => (await cluster.Client.CoreV1.ReadNamespacedPodAsync("web", "shop")).Status.ContainerStatuses.Single() is { RestartCount: >= 1, State.Running: not null },
            "the kubelet to restart the killed container", Slow);
        await stop.CancelAsync();
        var result = await run;

        Console.WriteLine($"{fault}: killed {killed}; during {during}; after {after}; {string.Join(" | ", result.Affected.Select(a => a.Action))}");
        during.Tagged.Concat(during.Network).Should().Contain(l => l.Contains(MidHoldFaults.Artifact(fault), StringComparison.Ordinal), "the check sees the fault while it holds");
        result.Affected.Should().Contain(
            a => a.Name == "web" && a.Action.StartsWith("target container main ", StringComparison.Ordinal) && a.Action.Contains(" during the hold: fault removed at once (", StringComparison.Ordinal),
            result.ToReport());
        result.NotRecovered.Should().BeEmpty();
        after.IsEmpty.Should().BeTrue($"the early removal took everything of the payload, but left: {after}");
        Leftovers.Read(cluster, ip, before, id).IsEmpty.Should().BeTrue("nothing came back by the end of the run");
        await PayloadsEndedAsync(cluster.Client);
        if (MidHoldFaults.Probed.Contains(fault))
        {
            effect.Should().BeTrue("the effect is seen from the test process during the hold");
        }

        await EffectGoneAsync(fault, ip);
    }

    private static Task<KubernetesEmulator> StartAsync() => KubernetesEmulator.StartAsync(o =>
    {
        o.Runtime = PodRuntime.Processes;
        o.Processes.NodeDiskSize = 16 * 1024 * 1024;
        o.Processes.RestartBackOff = TimeSpan.FromSeconds(1);
    });

    /// <summary>The experiment id, once the run holds (failing with the report if the run ends first).</summary>
    private static async Task<string> HoldingAsync(IKubernetes client, Task<ChaosResult> run, HoldWatch hold)
    {
        await hold.UntilHoldingAsync(run, Slow, () => EphemeralLogsAsync(client, "shop", "web"));

        var pod = await client.CoreV1.ReadNamespacedPodAsync("web", "shop");
        return pod.Metadata.Annotations.Keys.Single(k => k.StartsWith("chaos.testing/ledger-", StringComparison.Ordinal))["chaos.testing/ledger-".Length..];
    }

    private static bool HasEntry(V1Pod pod) => pod.Metadata.Annotations?.Keys.Any(k => k.StartsWith("chaos.testing/ledger-", StringComparison.Ordinal)) == true;

    /// <summary>SIGKILLs every process in the cgroup of shop/web's main container (found by its container id), as an OOM kill would.</summary>
    private static async Task<string> KillMainAsync(KubernetesEmulator cluster, IKubernetes client)
    {
        var pod = await client.CoreV1.ReadNamespacedPodAsync("web", "shop");
        var id = pod.Status.ContainerStatuses.Single().ContainerID.Split("://")[1];
        var cgroup = new[] { "/sys/fs/cgroup/memory", "/sys/fs/cgroup" }.Select(r => Path.Combine(r, $"cte-{cluster.ProcessRunId}")).Where(Directory.Exists)
            .SelectMany(r => Directory.EnumerateDirectories(r, id, SearchOption.AllDirectories)).First();
        var pids = File.ReadAllLines(Path.Combine(cgroup, "cgroup.procs")).Where(l => l.Length > 0).ToList();
        pids.Should().NotBeEmpty($"the container's cgroup {cgroup} has its processes");
        foreach (var pid in pids)
        {
            Run("kill", "-KILL", pid);
        }

        return $"{pids.Count} process(es) of {cgroup}";
    }

    private static Task EffectGoneAsync(string fault, string ip) =>
        Eventually.TrueAsync(
            async () => !MidHoldFaults.Probed.Contains(fault) || await MidHoldFaults.EffectAsync(fault, ip) == false, $"the {fault} effect to be gone, seen from the test process", Slow);

    /// <summary>Every ephemeral container of shop/web has ended (the payload and its cleanups alike).</summary>
    private static Task PayloadsEndedAsync(IKubernetes client) =>
        Eventually.TrueAsync(
            async () => (await client.CoreV1.ReadNamespacedPodAsync("web", "shop")).Status.EphemeralContainerStatuses.All(s => s.State?.Terminated is not null),
            "every ephemeral container of shop/web to end", Slow);
}

/// <summary>The payload faults of <see cref="MidHoldEndToEndTests"/>: each on the echo pod shop/web, held far longer than the test.</summary>
internal static class MidHoldFaults
{
    public static readonly TimeSpan Hold = TimeSpan.FromMinutes(3);

    public static readonly string[] Names = ["bandwidth", "packet-loss", "partition", "dns-chaos", "http-chaos", "cpu-stress", "memory-stress", "disk-fill"];

    /// <summary>What the fault puts in place, as <see cref="Leftovers"/> reads it from the host (not the payload's marker rule or its shell).</summary>
    public static string Artifact(string fault) => fault switch
    {
        "bandwidth" => "qdisc tbf ",
        "packet-loss" => "-m statistic --mode random --probability 1.0",
        "partition" => "-j DROP",
        "dns-chaos" => "--dport 53 ",
        "http-chaos" => "--dport 8080 ",
        "cpu-stress" or "memory-stress" => ": stress-ng ",
        "disk-fill" => "/chaos-fill-",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    /// <summary>
    /// Whether the fault's effect is seen from the test process, for the faults whose effect it can see at once: every
    /// request to web answered 503 (HTTP chaos), none of three pings answered (packet loss at 100 %); null for the others.
    /// </summary>
    public static readonly string[] Probed = ["http-chaos", "packet-loss"];

    public static async Task<bool?> EffectAsync(string fault, string ip)
    {
        switch (fault)
        {
            case "http-chaos":
                try
                {
                    using var response = await Http.GetAsync(new Uri($"http://{ip}:8080/"));
                    return response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable;
                }
                catch (HttpRequestException)
                {
                    return null; // not answering (a restarting container): neither
                }

            case "packet-loss":
                return await Task.Run(() => Run("ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "1", ip).Contains(" 100% packet loss", StringComparison.Ordinal));
            default:
                return null;
        }
    }

    public static ChaosExperiment Experiment(string fault)
    {
        var web = Pods.In("shop").WithLabel("app", "web");
        var chaos = global::Chaos.Testing.Experiment.On(web);
        var experiment = fault switch
        {
            "bandwidth" => chaos.LimitBandwidth(1_000_000),
            "packet-loss" => chaos.LosePackets(100),
            "partition" => chaos.Partition(o => o.Peers = Pods.In("shop").WithLabel("app", "peer")),
            "dns-chaos" => chaos.DnsChaos(o => { o.Mode = DnsChaosMode.Fail; o.Patterns.Add("cart.*"); }),
            "http-chaos" => chaos.HttpChaos(8080, o => { o.Percent = 100; o.AbortStatus = 503; }),
            "cpu-stress" => chaos.StressCpu(o => o.Load = 20),
            "memory-stress" => chaos.StressMemory(o => o.Bytes = 32 * 1024 * 1024),
            "disk-fill" => chaos.FillDisk(o => o.Percent = 50),
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
        };
        return experiment.For(Hold).WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });
    }

    /// <summary>
    /// Creates shop/web (and shop/peer for a partition); returns web's IP and its network before the experiment. For a
    /// disk fill, web drops every capability: the payload, holding only DAC_OVERRIDE, reaches the target's files through
    /// <c>/proc/1/root</c>, which the kernel allows only into a process whose capabilities are a subset of its own.
    /// </summary>
    public static async Task<(string Ip, IReadOnlyList<string> Before)> TargetAsync(IKubernetes client, string fault)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "main",
                        Image = "chaos-testing/echo:1",
                        SecurityContext = fault == "disk-fill" ? new V1SecurityContext { Capabilities = new V1Capabilities { Drop = ["ALL"] } } : null,
                    },
                ],
            },
        }, "shop");
        if (fault == "partition")
        {
            await CreateEchoAsync(client, "shop", "peer");
            await PodIpAsync(client, "shop", "peer");
        }

        var ip = await PodIpAsync(client, "shop", "web", 8080);
        return (ip, Leftovers.NetworkOf(ip));
    }
}
