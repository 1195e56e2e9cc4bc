using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>The engine side of node payload faults: a pod pinned to the node, ledger on the node, recovery by deletion and a cleanup pod.</summary>
public sealed class NodePayloadEngineTests
{
    [Fact]
    public async Task Inject_PinsAPayloadPodToTheNode_AndRecoveryDeletesItAndRunsTheCleanup()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);

        // The payload holds a minute on its own, so recovery always finds it running, however slow the machine.
        var run = Run(new NodeMarkerFault("default", payloadHold: TimeSpan.FromMinutes(1))).For(TimeSpan.FromMilliseconds(500)).RunAsync(cluster.Client);
        var payload = await Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "chaos.testing/experiment")).Items);
        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        payload.Spec.NodeName.Should().Be("node-2");
        payload.Spec.RestartPolicy.Should().Be("Never");
        payload.Spec.Tolerations.Should().ContainSingle(t => t.OperatorProperty == "Exists" && t.Key == null);
        payload.Metadata.Labels.Should().Contain("chaos.testing/exclude", "true");
        payload.Spec.Volumes.Should().ContainSingle(v => v.HostPath.Path == "/var/tmp");
        payload.Spec.Containers.Single().Command[2].Should().Contain("touch /host/marker");
        result.Affected.Select(a => a.Action).Should().Equal("marker set", $"payload pod default/{payload.Metadata.Name} stopped early, cleaned up by {payload.Metadata.Name}-cleanup-1 (verified)");
        cluster.Emulator.Audit.Writes.Where(w => w.Verb == "create" && w.Resource == "pods").Select(w => w.Name ?? string.Empty).Should().HaveCount(2);
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty("the payload and cleanup pods are deleted");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
    }

    [Fact]
    public async Task PayloadThatCannotInstall_FailsTheRunWithItsOwnWords_AndLeavesTheNodeAsFound()
    {
        await using var cluster = await ShopCluster.StartAsync(configure: o => o.PayloadInstallError = "stress-ng: not found");
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var result = await Run(new NodeMarkerFault("default")).For(TimeSpan.FromSeconds(30)).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed, result.ToReport());
        result.FailureReason.Should().MatchRegex("payload payload in pod default/chaos-node-cpu-stress-[0-9a-f]+-0 could not install the fault: it exited 1 \\(Error\\) saying: stress-ng: not found");
        (result.FinishedAt - result.StartedAt).Should().BeLessThan(TimeSpan.FromSeconds(30), "the run does not hold a fault that is not there");
        result.NotRecovered.Should().BeEmpty();
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty("the failed payload pod and the cleanup pod are deleted");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
    }

    [Fact]
    public async Task PayloadNamespaceProtected_IsRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var run = () => Run(new NodeMarkerFault("kube-system")).RunAsync(cluster.Client);
        (await run.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Refusing to touch namespace \"kube-system\": it is protected*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Janitor_RecoversANodePayloadWhoseRunIsGone()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var cancel = new CancellationTokenSource();
        var run = Run(new NodeMarkerFault("default")).For(TimeSpan.FromMinutes(5)).RunAsync(cluster.Client, cancel.Token);
        await Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "status.phase=Running")).Items);

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { Force = true });

        sweep.Recovered.Should().ContainSingle().Which.Should().Contain("Node node-2").And.Contain("stopped early, cleaned up by");
        await cancel.CancelAsync();
        (await run).NotRecovered.Should().BeEmpty();
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty();
    }

    private static ChaosExperiment Run(NodeMarkerFault fault) => new(new FaultBinding<V1Node>(Experiment.On(Nodes.Named("node-2")), fault));

    private sealed class NodeMarkerFault(string ns, TimeSpan? payloadHold = null) : NodePayloadFault
    {
        public override FaultDescriptor Definition { get; } = NodeCpuStressFault.Descriptor;

        public override string Verb => "mark";

        protected override string PayloadNamespace => ns;

        protected override string Image => "example/tools:1";

        protected override TimeSpan StartTimeout => PayloadOptions.DefaultStartTimeout;

        protected override TimeSpan CleanupTimeout => PayloadOptions.DefaultCleanupTimeout;

        protected override string? HostPath => "/var/tmp";

        public override void Validate(ICollection<string> errors)
        {
        }

        protected override PayloadScript ScriptFor(FaultContext context, V1Node node, string tag) =>
            new PayloadScript(tag).Install("touch", $"{HostMount}/marker").Cleanup("rm", "-f", $"{HostMount}/marker");

        protected override string Describe(V1Node node) => "marker set";

        protected override TimeSpan PayloadHold(FaultContext context) => payloadHold ?? context.Hold;
    }
}

/// <summary>The node payload faults through the DSL.</summary>
public sealed class NodePayloadFaultTests
{
    [Fact]
    public async Task StressCpu_OnANode_RunsStressNgInAPinnedPod_AndRecovers()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var run = Experiment.On(Nodes.Named("node-1")).StressCpu(o => { o.Workers = 2; o.Load = 70; }).For(TimeSpan.FromMilliseconds(400)).RunAsync(cluster.Client);
        var pod = await Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "chaos.testing/experiment")).Items);
        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        pod.Spec.NodeName.Should().Be("node-1");
        pod.Spec.Containers[0].Image.Should().Be(StressFaultOptions.DefaultImage);
        pod.Spec.Containers[0].Command[2].Should().Contain("--cpu 2").And.Contain("--cpu-load 70");
        result.Affected[0].Action.Should().Be("CPU stress: 2 worker(s) at 70%");
        result.Affected.Should().HaveCount(2);
        result.Affected[1].Action.Should().BeOneOf(
            [$"payload pod default/{pod.Metadata.Name} stopped early, cleaned up by {pod.Metadata.Name}-cleanup-1 (verified)", $"payload pod default/{pod.Metadata.Name} had ended and removed the fault"],
            "recovery stops the 1 s payload early, or, on a loaded machine, finds it ended by itself");
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("default")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task FillDisk_OnANode_MountsTheNodeDirectory_AndRecovers()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var run = Experiment.On(Nodes.Named("node-3")).FillDisk(o => { o.Path = "/var/lib/scratch"; o.Percent = 85; }).For(TimeSpan.FromMilliseconds(400)).RunAsync(cluster.Client);
        var pod = await Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "chaos.testing/experiment")).Items);
        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        pod.Spec.Volumes.Should().ContainSingle(v => v.HostPath.Path == "/var/lib/scratch" && v.HostPath.Type == "Directory");
        pod.Spec.Containers[0].VolumeMounts.Should().ContainSingle(m => m.MountPath == "/host");
        pod.Spec.Containers[0].Command[2].Should().Contain("/host").And.Contain("85");
        result.Affected[0].Action.Should().Be("filesystem of /var/lib/scratch filled to 85%");
        (await cluster.Client.CoreV1.ReadNodeAsync("node-3")).Metadata.Labels.Should().NotContainKey("chaos.testing/ledger");
    }
}
