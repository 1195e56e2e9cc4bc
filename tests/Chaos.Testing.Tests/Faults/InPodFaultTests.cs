using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// Every in-pod fault through the DSL, against the emulator: the ephemeral container it creates (image, command,
/// capabilities, target container, mounts), the result, and the recovery. What the scripts do for real is tested by the
/// payload tests (tests/Payloads), which run the same builders in network namespaces, on tmpfs and with stress-ng.
/// </summary>
public sealed class InPodFaultTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    public static TheoryData<string> Faults => new()
    {
        "delay", "loss", "corruption", "duplication", "bandwidth", "partition", "cpu", "memory", "disk", "container-kill", "dns", "http",
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Fault_CreatesItsPayloadContainer_AndRecovers(string fault)
    {
        await using var cluster = await ShopCluster.StartAsync();
        var (experiment, image, capabilities, scriptContains, affected) = Build(fault);

        var result = await experiment.For(TimeSpan.FromMilliseconds(300)).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        result.Affected[0].Action.Should().Be(affected);
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(result.Affected[0].Name, "shop");
        var payload = pod.Spec.EphemeralContainers.First(c => !c.Name.Contains("-cleanup-", StringComparison.Ordinal));
        payload.Name.Should().StartWith("chaos-").And.EndWith(result.ExperimentId);
        payload.Image.Should().Be(image);
        var sharesProcesses = fault is "cpu" or "memory" or "disk" or "container-kill";
        payload.TargetContainerName.Should().Be(sharesProcesses ? "cart" : null, "only faults that act on the target's processes or files join its PID namespace");
        payload.Command[2].Contains("iptables -w 5 -A INPUT -m comment --comment chaos-", StringComparison.Ordinal).Should().Be(!sharesProcesses, "a payload no cleanup can see holds on its marker rule");
        (payload.SecurityContext?.Capabilities?.Add ?? []).Should().Equal(capabilities);
        payload.SecurityContext?.Privileged.Should().NotBe(true);
        payload.Command[2].Should().Contain(scriptContains);
        payload.Resources.Should().BeNull("the API rejects resources on ephemeral containers");
        result.Affected[^1].Action.Should().MatchRegex("^payload chaos-.* (stopped early by .*-cleanup-[0-9]+, fault removed \\(verified\\)|had ended and removed the fault)$");
        pod.Metadata.Labels.Should().NotContainKey("chaos.testing/ledger");
        pod.Metadata.Annotations?.Keys.Should().NotContain(k => k.StartsWith("chaos.testing/ledger", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Partition_ResolvesPeerPodsToIps_LeavingTheTargetsOut()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart")).Items;

        var result = await Experiment.On(Cart).WithSeed(1).Partition(o => o.Peers = Cart).For(TimeSpan.FromMilliseconds(200)).RunAsync(cluster.Client);

        var target = pods.Single(p => p.Metadata.Name == result.Affected[0].Name);
        var peers = pods.Where(p => p != target).Select(p => p.Status.PodIP).Order(StringComparer.Ordinal).ToList();
        result.Timeline.Should().Contain(t => t.Message == $"partition peers: {string.Join(", ", peers)}");
        var script = (await cluster.Client.CoreV1.ReadNamespacedPodAsync(target.Metadata.Name, "shop")).Spec.EphemeralContainers[0].Command[2];
        peers.Should().OnlyContain(ip => script.Contains(ip, StringComparison.Ordinal));
        script.Should().NotContain(target.Status.PodIP + "/", "the target is not its own peer");
    }

    [Fact]
    public async Task DiskFill_OnAVolume_MountsItIntoThePayload_AndAMissingVolumeIsRefused()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var refused = () => Experiment.On(Cart).FillDisk(o => o.Volume = "data").RunAsync(cluster.Client);
        (await refused.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Pod shop/cart-* has no volume \"data\" (it has none). Fix the Volume option of fill the disk of. Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();

        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync((await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items[0].Metadata.Name, "shop");
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "shop");
        await cluster.Emulator.ApplyYamlAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: db
              namespace: shop
              labels:
                app: db
            spec:
              volumes:
                - name: data
                  emptyDir: {}
              containers:
                - name: db
                  image: example/db:1.0
                  volumeMounts:
                    - name: data
                      mountPath: /var/lib/db
            """);
        await cluster.WaitForReadyPodsAsync("shop", "app=db", 1);
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "db")).FillDisk(o => { o.Volume = "data"; o.Percent = 80; })
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; })
            .For(TimeSpan.FromMilliseconds(200)).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        var payload = (await cluster.Client.CoreV1.ReadNamespacedPodAsync("db", "shop")).Spec.EphemeralContainers[0];
        payload.VolumeMounts.Should().ContainSingle(m => m.Name == "data" && m.MountPath == "/chaos-volume" && m.SubPath == null);
        payload.Command[2].Should().Contain("/chaos-volume");
        result.Affected[0].Action.Should().Be("volume data filled to 80%");
    }

    [Fact]
    public async Task BadInput_EveryFieldIsNamedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var experiments = new (Func<ChaosExperiment> Build, string Message)[]
        {
            (() => Experiment.On(Cart).DelayNetwork(TimeSpan.Zero, o => { o.Jitter = TimeSpan.FromSeconds(-1); o.Destinations.Add("10.0.0.300"); o.Ports.Add(70000); }),
                "*DelayNetwork.Latency: must be more than 0*"),
            (() => Experiment.On(Cart).LosePackets(150), "*LosePackets.Percent: must be more than 0 and at most 100 (percent), was 150.*"),
            (() => Experiment.On(Cart).LimitBandwidth(10, o => o.Burst = 10), "*LimitBandwidth.Rate*LimitBandwidth.Burst*"),
            (() => Experiment.On(Cart).Partition(o => o.Cidrs.Add("nope")), "*Partition.Cidrs: \"nope\" is not an IPv4 address or CIDR*"),
            (() => Experiment.On(Cart).Partition(_ => { }), "*Partition.Peers: give the peers*"),
            (() => Experiment.On(Cart).StressCpu(o => { o.Load = 0; o.Workers = 0; }), "*StressCpu.Workers: must be between 1 and 256, was 0.*StressCpu.Load*"),
            (() => Experiment.On(Cart).StressMemory(o => o.Bytes = 10), "*StressMemory.Bytes: must be at least 1 MiB*"),
            (() => Experiment.On(Cart).FillDisk(o => { o.Percent = 100; o.Path = "tmp"; }), "*FillDisk.Percent: must be between 1 and 99, was 100.*FillDisk.Path*"),
            (() => Experiment.On(Cart).KillContainer(o => o.Signal = "KILL"), "*KillContainer.Signal: KILL never reaches a container's PID 1*"),
            (() => Experiment.On(Nodes.All()).FillDisk(o => o.Path = "/"), "*FillDisk.Path: must be an absolute directory on the node other than \"/\"*"),
        };

        foreach (var (build, message) in experiments)
        {
            var run = () => build().RunAsync(cluster.Client);
            (await run.Should().ThrowAsync<ChaosConfigurationException>()).WithMessage(message);
        }

        var delay = () => experiments[0].Build().RunAsync(cluster.Client);
        (await delay.Should().ThrowAsync<ChaosConfigurationException>()).Which.Message.Should()
            .Contain("DelayNetwork.Jitter").And.Contain("DelayNetwork.Destinations: \"10.0.0.300\"").And.Contain("DelayNetwork.Ports: 70000");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    private static (ChaosExperiment Experiment, string Image, string[] Capabilities, string ScriptContains, string Affected) Build(string fault)
    {
        var net = NetworkFaultOptions.DefaultImage;
        return fault switch
        {
            "delay" => (Experiment.On(Cart).DelayNetwork(TimeSpan.FromMilliseconds(100), o => o.Jitter = TimeSpan.FromMilliseconds(10)), net, ["NET_ADMIN", "NET_RAW"], "netem delay 100ms 10ms", "network delayed by 100 ms ± 10 ms (egress)"),
            "loss" => (Experiment.On(Cart).LosePackets(30), net, ["NET_ADMIN", "NET_RAW"], "statistic", "30% of packets dropped (egress)"),
            "corruption" => (Experiment.On(Cart).CorruptPackets(5), net, ["NET_ADMIN", "NET_RAW"], "corrupt 5%", "5% of packets corrupted (egress)"),
            "duplication" => (Experiment.On(Cart).DuplicatePackets(5), net, ["NET_ADMIN", "NET_RAW"], "duplicate 5%", "5% of packets duplicated (egress)"),
            "bandwidth" => (Experiment.On(Cart).LimitBandwidth(1_000_000), net, ["NET_ADMIN", "NET_RAW"], "tbf rate", "bandwidth limited to 1000000 bit/s (egress)"),
            "partition" => (Experiment.On(Cart).Partition(o => o.Cidrs.Add("10.96.0.0/12")), net, ["NET_ADMIN", "NET_RAW"], "10.96.0.0/12", "partitioned (both) from 10.96.0.0/12"),
            "cpu" => (Experiment.On(Cart).StressCpu(o => o.Load = 50), StressFaultOptions.DefaultImage, [], "--cpu-load 50", "CPU stress: 1 worker(s) at 50%"),
            "memory" => (Experiment.On(Cart).StressMemory(o => o.Bytes = 64L * 1024 * 1024), StressFaultOptions.DefaultImage, [], "--vm", "memory stress: 67108864 bytes held by 1 worker(s)"),
            "disk" => (Experiment.On(Cart).FillDisk(o => o.Percent = 80), DiskFillOptions.DefaultImage, ["DAC_OVERRIDE", "SYS_PTRACE"], "/proc/1/root/tmp", "filesystem of /tmp filled to 80%"),
            "dns" => (Experiment.On(Cart).DnsChaos(o => { o.Mode = DnsChaosMode.Fail; o.Patterns.Add("*.payments.svc.cluster.local"); }), net, ["NET_ADMIN", "NET_RAW"], "payments.svc.cluster.local", "DNS fails for *.payments.svc.cluster.local"),
            "http" => (Experiment.On(Cart).HttpChaos(8080, o => { o.Percent = 50; o.AbortStatus = 503; }), net, ["NET_ADMIN", "NET_RAW"], "REDIRECT", "HTTP on port 8080: 50% of requests answered 503"),
            "container-kill" => (Experiment.On(Cart).KillContainer(), DiskFillOptions.DefaultImage, ["KILL"], "TERM", "container (first) sent SIGTERM"),
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };
    }
}
