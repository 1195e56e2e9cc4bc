using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Docs;

/// <summary>
/// Every snippet of the payload fault pages (docs/faults/network-delay.md, packet-loss.md, packet-corruption.md,
/// packet-duplication.md, bandwidth.md, network-partition.md, cpu-stress.md, memory-stress.md, disk-fill.md,
/// container-kill.md, node-cpu-stress.md, node-disk-fill.md), run against the emulator. The code between the "snippet"
/// comments is the code on the page; change both together. After each snippet the test checks what the page claims
/// about the payload container (image, capabilities, command lines), its cleanup container, and that no ledger entry is
/// left. The emulator runs no command: what the scripts do for real is covered by the payload tests.
/// </summary>
public sealed class PayloadFaultDocsTests(ITestOutputHelper output)
{
    // ---------------------------------------------------------------- docs/faults/network-delay.md

    [Fact]
    public async Task NetworkDelay()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .DelayNetwork(TimeSpan.FromMilliseconds(100), o =>
            {
                o.Jitter = TimeSpan.FromMilliseconds(20);       // default: none
                o.Direction = TrafficDirection.Egress;          // the default; also Ingress, Both
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        var payload = $"chaos-network-delay-{result.ExperimentId}";
        result.Affected.Select(a => a.Action).Should().Equal(
            "network delayed by 100 ms ± 20 ms (egress)",                               // injected
            $"payload {payload} stopped early by {payload}-cleanup-1, fault removed (verified)");    // recovered
        // end snippet

        await AssertPayloadAsync(cluster, result, "network-delay", NetworkFaultOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"],
            "tc qdisc replace dev eth0 root netem delay 100ms 20ms || ", "  tc qdisc del dev eth0 root >/dev/null 2>&1 || true\n");
    }

    // ---------------------------------------------------------------- docs/faults/packet-loss.md

    [Fact]
    public async Task PacketLoss()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .LosePackets(30, o =>
            {
                o.Destinations.Add("10.42.0.0/16");            // default: all traffic
                o.Ports.Add(5432);                              // default: every port (TCP and UDP)
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("30% of packets dropped (egress)");
        // end snippet

        var script = await AssertPayloadAsync(cluster, result, "packet-loss", NetworkFaultOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"],
            "if { tc qdisc replace dev eth0 root handle 1: prio bands 4 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1 && tc qdisc add dev eth0 parent 1:4 handle 40: netem loss 30% && ",
            "tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst 10.42.0.0/16 match ip protocol 6 0xff match ip dport 5432 0xffff flowid 1:4",
            "echo 'chaos: netem unavailable, egress loss via iptables statistic'; ",
            $"iptables -w 5 -I OUTPUT -o eth0 -d 10.42.0.0/16 -p tcp --dport 5432 -m statistic --mode random --probability 0.3 -m comment --comment chaos-{result.ExperimentId} -j DROP");
        script.Should().Contain("-p udp --dport 5432");
    }

    // ---------------------------------------------------------------- docs/faults/packet-corruption.md

    [Fact]
    public async Task PacketCorruption()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .CorruptPackets(5, o => o.Direction = TrafficDirection.Both)
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("5% of packets corrupted (both)");
        // end snippet

        var ifb = NetworkPayloads.IfbDevice(result.ExperimentId);
        await AssertPayloadAsync(cluster, result, "packet-corruption", NetworkFaultOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"],
            "tc qdisc replace dev eth0 root netem corrupt 5% || ",
            $"ip link add {ifb} type ifb || ",
            $"tc qdisc replace dev {ifb} root netem corrupt 5% || ",
            "tc qdisc add dev eth0 handle ffff: ingress || ",
            $"tc filter add dev eth0 parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev {ifb} || ");
    }

    // ---------------------------------------------------------------- docs/faults/packet-duplication.md

    [Fact]
    public async Task PacketDuplication()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .DuplicatePackets(10)
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("10% of packets duplicated (egress)");
        // end snippet

        await AssertPayloadAsync(cluster, result, "packet-duplication", NetworkFaultOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"],
            "tc qdisc replace dev eth0 root netem duplicate 10% || ");
    }

    // ---------------------------------------------------------------- docs/faults/bandwidth.md

    [Fact]
    public async Task Bandwidth()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .LimitBandwidth(1_000_000, o =>                     // 1 Mbit/s
            {
                o.Burst = 32 * 1024;                            // the default, bytes
                o.Latency = TimeSpan.FromMilliseconds(50);      // the default
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("bandwidth limited to 1000000 bit/s (egress)");
        // end snippet

        await AssertPayloadAsync(cluster, result, "bandwidth", NetworkFaultOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"],
            "tc qdisc replace dev eth0 root tbf rate 1000000bit burst 32768 latency 50ms || ");

        var filtered = () => Experiment.On(Pods.In("shop").WithLabel("app", "cart")).LimitBandwidth(1_000_000, o => o.Ports.Add(80)).RunAsync(cluster.Client);
        (await filtered.Should().ThrowAsync<ChaosConfigurationException>()).WithMessage("*LimitBandwidth.Destinations/Ports: a bandwidth limit applies to the whole interface; leave them empty.*");
    }

    // ---------------------------------------------------------------- docs/faults/network-partition.md

    [Fact]
    public async Task NetworkPartition()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart")).Items;

        // snippet
        var carts = Pods.In("shop").WithLabel("app", "cart");
        var result = await Experiment.On(carts)
            .Partition(o =>
            {
                o.Peers = carts;                                // resolved to pod IPs, the targets left out
                o.Cidrs.Add("10.96.0.0/12");                    // and/or addresses and CIDRs
                o.Direction = PartitionDirection.Both;          // the default; also To, From
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("partitioned (both) from pods in shop with labels app=cart, 10.96.0.0/12");
        // end snippet

        var target = pods.Single(p => p.Metadata.Name == result.Affected[0].Name);
        var peers = pods.Where(p => p.Metadata.Name != target.Metadata.Name).Select(p => p.Status.PodIP).Append("10.96.0.0/12").Order(StringComparer.Ordinal).ToList();
        result.Timeline.Should().Contain(t => t.Phase == "inject" && t.Message == $"partition peers: {string.Join(", ", peers)}");
        var comment = $"chaos-{result.ExperimentId}";
        var script = await AssertPayloadAsync(cluster, result, "network-partition", NetworkFaultOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"],
            $"iptables -w 5 -I OUTPUT -d 10.96.0.0/12 -m comment --comment {comment} -j DROP || ",
            $"iptables -w 5 -I INPUT -s 10.96.0.0/12 -m comment --comment {comment} -j DROP || ",
            $"while iptables -w 5 -D OUTPUT -d 10.96.0.0/12 -m comment --comment {comment} -j DROP 2>/dev/null; do :; done");
        foreach (var ip in peers.Where(p => !p.Contains('/', StringComparison.Ordinal)))
        {
            script.Should().Contain($"iptables -w 5 -I OUTPUT -d {ip}/32 -m comment --comment {comment} -j DROP");
        }

        script.Should().NotContain(target.Status.PodIP + "/32");
    }

    // ---------------------------------------------------------------- docs/faults/cpu-stress.md

    [Fact]
    public async Task CpuStress()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .StressCpu(o =>
            {
                o.Workers = 2;                                  // default 1
                o.Load = 80;                                    // default 100 (% of one CPU per worker)
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("CPU stress: 2 worker(s) at 80%");
        // end snippet

        var id = result.ExperimentId;
        await AssertPayloadAsync(cluster, result, "cpu-stress", StressFaultOptions.DefaultImage, [],
            $"stress-ng --keep-name --temp-path /tmp/chaos-stress-{id} --timeout 6s --cpu 2 --cpu-load 80 </dev/null & sleep 1; ",
            $"pkill -TERM -f '^stress-ng .*--temp-path /tmp/chaos-stress-{id}( |$)'");
    }

    // ---------------------------------------------------------------- docs/faults/memory-stress.md

    [Fact]
    public async Task MemoryStress()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .StressMemory(o =>
            {
                o.Bytes = 64L * 1024 * 1024;                    // default 256 MiB, shared by the workers
                o.Workers = 2;                                  // default 1
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("memory stress: 67108864 bytes held by 2 worker(s)");
        // end snippet

        await AssertPayloadAsync(cluster, result, "memory-stress", StressFaultOptions.DefaultImage, [],
            $"stress-ng --keep-name --temp-path /tmp/chaos-stress-{result.ExperimentId} --timeout 6s --vm 2 --vm-keep --vm-populate --vm-bytes 67108864 </dev/null & ");

        var percent = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).StressMemory(o => o.Percent = 25)
            .For(TimeSpan.FromMilliseconds(200)).RunAsync(cluster.Client);
        percent.Affected[0].Action.Should().Be("memory stress: 25% held by 1 worker(s)");
        var script = (await PayloadOfAsync(cluster, percent, "memory-stress")).Command[2];
        script.Should().Contain("chaos_membytes=$((chaos_memkb * 1024 / 100 * 25))").And.Contain("--vm-bytes \"$chaos_membytes\"");
    }

    // ---------------------------------------------------------------- docs/faults/disk-fill.md

    [Fact]
    public async Task DiskFill()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .FillDisk(o =>
            {
                o.Percent = 80;                                 // default 90
                o.Path = "/tmp";                                // the default: a directory of the target container
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("filesystem of /tmp filled to 80%");
        // end snippet

        var file = $"/proc/1/root/tmp/chaos-fill-{result.ExperimentId}";
        var (payload, cleanup) = await ContainersAsync(cluster, result, "disk-fill");
        await AssertPayloadAsync(cluster, result, "disk-fill", DiskFillOptions.DefaultImage, ["DAC_OVERRIDE", "SYS_PTRACE"],
            "[ \"$(stat -c %d /proc/1/root/tmp)\" != \"$(stat -c %d /)\" ] || ",
            "chaos_want=$((chaos_size * 80 / 100 - chaos_used))",
            $"fallocate -l \"$chaos_bytes\" {file}",
            $"  rm -f {file} >/dev/null 2>&1 || true\n");
        payload.VolumeMounts.Should().BeNull();
        cleanup?.VolumeMounts.Should().BeNull();
    }

    // ---------------------------------------------------------------- docs/faults/container-kill.md

    [Fact]
    public async Task ContainerKill()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .KillContainer(o =>
            {
                o.Container = "cart";                           // default: the pod's first container
                o.Signal = "TERM";                              // the default; KILL and STOP are refused
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("container cart sent SIGTERM");
        // end snippet

        var (payload, _) = await ContainersAsync(cluster, result, "container-kill");
        payload.Env.Should().ContainSingle(e => e.Name == "CHAOS_TESTING_HOLD_SECONDS" && e.Value == "1", "one-shot: the payload holds for 1 s whatever For(...) says");
        await AssertPayloadAsync(cluster, result, "container-kill", DiskFillOptions.DefaultImage, ["KILL"],
            "[ \"$$\" -ne 1 ] || ",
            "[ $(((0x${chaos_cgt#\"${chaos_cgt%????????}\"} >> 14) & 1)) -eq 1 ] || ",
            "kill -s TERM 1 || ");

        var kill = () => Experiment.On(Pods.In("shop").WithLabel("app", "cart")).KillContainer(o => o.Signal = "SIGKILL").RunAsync(cluster.Client);
        (await kill.Should().ThrowAsync<ChaosConfigurationException>()).WithMessage("*KillContainer.Signal: KILL never reaches a container's PID 1 from inside its PID namespace (the kernel drops it); use TERM (the default), or Kill() the pod.*");
    }

    // ---------------------------------------------------------------- docs/faults/node-cpu-stress.md

    [Fact]
    public async Task NodeCpuStress()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var during = Task.Run(() => Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "chaos.testing/experiment")).Items));

        // snippet
        var result = await Experiment.On(Nodes.Named("node-2"))
            .StressCpu(o =>
            {
                o.Workers = 4;                                  // default 1, per node
                o.Load = 100;                                   // the default
                o.Namespace = "default";                        // the default: where the payload pods run
            })
            .For(TimeSpan.FromMilliseconds(500))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("CPU stress: 4 worker(s) at 100%");
        // end snippet

        var pod = $"default/chaos-node-cpu-stress-{result.ExperimentId}-0";
        result.Affected.Should().HaveCount(2);
        result.Affected[1].Action.Should().BeOneOf(
            [$"payload pod {pod} stopped early, cleaned up by {pod["default/".Length..]}-cleanup-1 (verified)", $"payload pod {pod} had ended and removed the fault"],
            "recovery stops the 1 s payload early, or, on a loaded machine, finds it ended by itself");

        var payload = await during;
        AssertNodePayloadPod(payload, "node-2", StressFaultOptions.DefaultImage);
        payload.Spec.Volumes.Should().BeNull();
        payload.Spec.Containers[0].Command[2].Should().Contain($"stress-ng --keep-name --temp-path /tmp/chaos-stress-{result.ExperimentId} --timeout 6s --cpu 4 --cpu-load 100 </dev/null & ");
        await AssertNodeLeftAsFoundAsync(cluster, result);
    }

    // ---------------------------------------------------------------- docs/faults/node-disk-fill.md

    [Fact]
    public async Task NodeDiskFill()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var during = Task.Run(() => Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "chaos.testing/experiment")).Items));

        // snippet
        var result = await Experiment.On(Nodes.Named("node-2"))
            .FillDisk(o =>
            {
                o.Path = "/var/tmp";                            // the default: a directory on the node
                o.Percent = 85;                                 // default 90
            })
            .For(TimeSpan.FromMilliseconds(500))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("filesystem of /var/tmp filled to 85%");
        // end snippet

        var payload = await during;
        AssertNodePayloadPod(payload, "node-2", DiskFillOptions.DefaultImage);
        payload.Spec.Volumes.Should().ContainSingle().Which.HostPath.Should().BeEquivalentTo(new V1HostPathVolumeSource { Path = "/var/tmp", Type = "Directory" });
        payload.Spec.Containers[0].VolumeMounts.Should().ContainSingle(m => m.Name == "host" && m.MountPath == "/host");
        payload.Spec.Containers[0].Command[2].Should().Contain("chaos_want=$((chaos_size * 85 / 100 - chaos_used))")
            .And.Contain($"  rm -f /host/chaos-fill-{result.ExperimentId} >/dev/null 2>&1 || true\n");
        result.Affected[^1].Action.Should().BeOneOf(
            [$"payload pod default/chaos-node-disk-fill-{result.ExperimentId}-0 stopped early, cleaned up by chaos-node-disk-fill-{result.ExperimentId}-0-cleanup-1 (verified)", $"payload pod default/chaos-node-disk-fill-{result.ExperimentId}-0 had ended and removed the fault"],
            "recovery stops the 1 s payload early, or, on a loaded machine, finds it ended by itself");
        await AssertNodeLeftAsFoundAsync(cluster, result);

        var root = () => Experiment.On(Nodes.Named("node-2")).FillDisk(o => o.Path = "/").RunAsync(cluster.Client);
        (await root.Should().ThrowAsync<ChaosConfigurationException>()).WithMessage("*FillDisk.Path: must be an absolute directory on the node other than \"/\"*");
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<V1EphemeralContainer> PayloadOfAsync(ShopCluster cluster, ChaosResult result, string fault) =>
        (await ContainersAsync(cluster, result, fault)).Payload;

    /// <summary>
    /// The payload and its cleanup container. The cleanup is null when recovery came after the payload's own one-second
    /// hold (a loaded machine): the payload had ended and removed the fault itself, so none was needed.
    /// </summary>
    private static async Task<(V1EphemeralContainer Payload, V1EphemeralContainer? Cleanup)> ContainersAsync(ShopCluster cluster, ChaosResult result, string fault)
    {
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(result.Affected[0].Name, "shop");
        var name = $"chaos-{fault}-{result.ExperimentId}";
        return (pod.Spec.EphemeralContainers.Single(c => c.Name == name), pod.Spec.EphemeralContainers.SingleOrDefault(c => c.Name == $"{name}-cleanup-1"));
    }

    /// <summary>Checks the payload and its cleanup container as the page describes them, and that no ledger entry is left; returns the script.</summary>
    private async Task<string> AssertPayloadAsync(ShopCluster cluster, ChaosResult result, string fault, string image, string[] capabilities, params string[] scriptContains)
    {
        output.WriteLine(result.ToReport());
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(result.Affected[0].Name, "shop");
        var (payload, cleanup) = await ContainersAsync(cluster, result, fault);
        pod.Spec.EphemeralContainers.Should().HaveCount(cleanup is null ? 1 : 2, "the payload (and its cleanup container) stay in the spec, terminated");
        pod.Status.EphemeralContainerStatuses.Should().OnlyContain(s => s.State.Terminated != null && s.State.Terminated.ExitCode == 0);

        payload.Image.Should().Be(image);
        var shares = PodPayloadFault.ProfileOf(FaultCatalog.Find(fault)!)!.SharesTargetProcesses;
        payload.TargetContainerName.Should().Be(shares ? "cart" : null);
        payload.ImagePullPolicy.Should().Be("IfNotPresent");
        payload.Command.Should().HaveCount(4);
        payload.Command[0].Should().Be("sh");
        payload.Command[1].Should().Be("-c");
        payload.Command[3].Should().Be($"chaos-payload-{result.ExperimentId}");
        payload.Command[2].Should().StartWith($"# chaos-payload-{result.ExperimentId}\nset -u\n")
            .And.Contain("trap 'cleanup; exit 0' TERM INT USR1\ntrap cleanup EXIT\n")
            .And.Contain("echo 'chaos: installed'\nsleep 1 >/dev/null 2>&1 &\nhold=$!\n")
            .And.EndWith("wait \"$hold\"\n");
        payload.Command[2].Contains($"iptables -w 5 -A INPUT -m comment --comment chaos-{result.ExperimentId} ||", StringComparison.Ordinal)
            .Should().Be(!shares, "a payload outside the target's PID namespace holds on its marker rule");
        foreach (var line in scriptContains)
        {
            payload.Command[2].Should().Contain(line);
        }

        payload.Env.Should().ContainSingle(e => e.Name == "CHAOS_TESTING_HOLD_SECONDS" && e.Value == "1", "a hold under a second is rounded up to one");
        payload.Resources.Should().BeNull();
        payload.Ports.Should().BeNull();
        payload.ReadinessProbe.Should().BeNull();
        payload.SecurityContext.Capabilities.Drop.Should().Equal("ALL");
        (payload.SecurityContext.Capabilities.Add ?? []).Should().Equal(capabilities);
        payload.SecurityContext.Privileged.Should().BeFalse();
        payload.SecurityContext.AllowPrivilegeEscalation.Should().BeFalse();
        payload.SecurityContext.SeccompProfile.Type.Should().Be("RuntimeDefault");

        result.Affected.Should().HaveCount(2);
        if (cleanup is null)
        {
            result.Affected[^1].Action.Should().Be($"payload {payload.Name} had ended and removed the fault");
        }
        else
        {
            cleanup.Image.Should().Be(image);
            cleanup.TargetContainerName.Should().Be(shares ? "cart" : null);
            cleanup.Command.Should().Equal("sh", "-c", cleanup.Command[2], "chaos-cleanup");
            cleanup.Command[2].Should().StartWith($"# chaos-cleanup of the payload tagged {result.ExperimentId}\n").And.EndWith($"echo '{PayloadCleanup.CleanedMarker}'\n");
            cleanup.Command[2].Contains(Shell.Quote(PayloadScript.ProcessPattern(result.ExperimentId)), StringComparison.Ordinal).Should().Be(shares, "only a cleanup that sees the payload looks for its processes");
            cleanup.Env.Should().ContainSingle(e => e.Name == "CHAOS_TESTING_STOPS" && e.Value == payload.Name);
            (cleanup.SecurityContext?.Capabilities?.Add ?? []).Should().Equal(capabilities);
            result.Affected[^1].Action.Should().Be($"payload {payload.Name} stopped early by {payload.Name}-cleanup-1, fault removed (verified)");
        }

        pod.Metadata.Labels.Should().NotContainKey("chaos.testing/ledger");
        (pod.Metadata.Annotations ?? new Dictionary<string, string>()).Keys.Should().NotContain(k => k.StartsWith("chaos.testing/ledger", StringComparison.Ordinal));
        (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "chaos.testing/ledger=true")).Items.Should().BeEmpty();
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("shop", labelSelector: $"chaos.testing/experiment={result.ExperimentId}");
        events.Items.Should().Contain(e => e.Reason == "ChaosInjected" && e.Message.Contains($"ephemeral container {payload.Name} ({image})", StringComparison.Ordinal));
        return payload.Command[2];
    }

    private static void AssertNodePayloadPod(V1Pod payload, string node, string image)
    {
        payload.Spec.NodeName.Should().Be(node);
        payload.Spec.RestartPolicy.Should().Be("Never");
        payload.Spec.Tolerations.Should().Contain(t => t.OperatorProperty == "Exists" && t.Key == null && t.Effect == null);
        payload.Metadata.Labels.Should().Contain("chaos.testing/exclude", "true");
        payload.Spec.HostPID.Should().NotBe(true);
        payload.Spec.HostNetwork.Should().NotBe(true);
        var container = payload.Spec.Containers.Should().ContainSingle().Which;
        container.Name.Should().Be("payload");
        container.Image.Should().Be(image);
        container.SecurityContext.Capabilities.Drop.Should().Equal("ALL");
        container.SecurityContext.Capabilities.Add.Should().BeNull();
        container.SecurityContext.AllowPrivilegeEscalation.Should().BeFalse();
        payload.Spec.AutomountServiceAccountToken.Should().BeFalse();
        container.Env.Should().ContainSingle(e => e.Name == "CHAOS_TESTING_HOLD_SECONDS" && e.Value == "1");
    }

    private async Task AssertNodeLeftAsFoundAsync(ShopCluster cluster, ChaosResult result)
    {
        output.WriteLine(result.ToReport());
        result.Affected.Should().OnlyContain(a => a.Kind == "Node" && a.Name == "node-2" && a.Namespace == null);
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty("the payload and cleanup pods are deleted");
        (await cluster.Client.CoreV1.ListNodeAsync(labelSelector: "chaos.testing/ledger=true")).Items.Should().BeEmpty();
        var node = await cluster.Client.CoreV1.ReadNodeAsync("node-2");
        (node.Metadata.Annotations ?? new Dictionary<string, string>()).Keys.Should().NotContain(k => k.StartsWith("chaos.testing/ledger", StringComparison.Ordinal));
        var creates = cluster.Emulator.Audit.Writes.Where(w => w.Verb == "create" && w.Resource == "pods").ToList();
        // A payload that ended by itself (a loaded machine, a hold shorter than recovery's turn) needs no cleanup pod.
        var stoppedEarly = result.Affected[^1].Action.Contains("stopped early", StringComparison.Ordinal);
        creates.Should().HaveCount(stoppedEarly ? 2 : 1, stoppedEarly ? "the payload pod, then the cleanup pod" : "the payload pod only: it had ended");
        creates.Should().OnlyContain(w => w.Namespace == "default");
    }
}
