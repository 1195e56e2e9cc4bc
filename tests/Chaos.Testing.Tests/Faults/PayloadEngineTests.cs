using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// The engine side of every payload fault (ephemeral container, ledger, early recovery by a cleanup container, janitor,
/// preflight), with a minimal payload. The emulator ends a payload when its declared hold has passed, and a payload
/// together with the cleanup container that stops it.
/// </summary>
public sealed class PayloadEngineTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    [Fact]
    public async Task Inject_AddsTheEphemeralContainerAfterTheLedger_AndEarlyRecoveryStopsIt()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);

        // The payload holds a minute on its own, so recovery always finds it running, however slow the machine.
        var result = await Run(new MarkerFault(["NET_ADMIN"], payloadHold: TimeSpan.FromMinutes(1))).For(TimeSpan.FromMilliseconds(300)).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        var podName = result.Affected[0].Name;
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(podName, "shop");
        var payloadName = $"chaos-cpu-stress-{result.ExperimentId}";
        var payload = pod.Spec.EphemeralContainers.Should().HaveCount(2).And.Contain(c => c.Name == payloadName).Which;
        payload.Image.Should().Be("example/tools:1");
        payload.TargetContainerName.Should().Be("cart");
        payload.Command.Should().HaveCount(4);
        payload.Command.Take(2).Should().Equal("sh", "-c");
        payload.Command[3].Should().Be($"chaos-payload-{result.ExperimentId}");
        payload.Command[2].Should().Contain("touch /tmp/marker").And.Contain("trap 'cleanup; exit 0' TERM INT").And.Contain("sleep 60 >/dev/null 2>&1 &");
        payload.SecurityContext.Capabilities.Drop.Should().Equal("ALL");
        payload.SecurityContext.Capabilities.Add.Should().Equal("NET_ADMIN");
        payload.SecurityContext.Privileged.Should().BeFalse();
        payload.SecurityContext.AllowPrivilegeEscalation.Should().BeFalse();
        payload.SecurityContext.SeccompProfile.Type.Should().Be("RuntimeDefault");
        payload.Env.Should().ContainSingle(e => e.Name == "CHAOS_TESTING_HOLD_SECONDS" && e.Value == "60");
        payload.Resources.Should().BeNull();
        payload.Ports.Should().BeNull();

        // The cleanup is built from code and the tag: the payload's own cleanup steps (rm -f /tmp/marker) are not in it.
        var cleanup = pod.Spec.EphemeralContainers.Single(c => c.Name == $"{payloadName}-cleanup-1");
        cleanup.Command[2].Should().Be(PayloadCleanup.Render(result.ExperimentId, new PayloadCleanupTargets())).And.NotContain("/tmp/marker");
        cleanup.Image.Should().Be("example/tools:1", "the live run cleans up with the image it injected with");
        cleanup.SecurityContext.Should().BeEquivalentTo(payload.SecurityContext);
        cleanup.Env.Should().ContainSingle(e => e.Name == "CHAOS_TESTING_STOPS" && e.Value == payloadName);
        pod.Status.EphemeralContainerStatuses.Should().OnlyContain(s => s.State.Terminated != null && s.State.Terminated.ExitCode == 0);

        result.Affected.Select(a => a.Action).Should().Equal("marker set", $"payload {payloadName} stopped early by {payloadName}-cleanup-1, fault removed (verified)");
        var ledgerWrite = cluster.Emulator.Audit.Writes.First(w => w.Resource == "pods" && w.Subresource is null);
        var containerWrite = cluster.Emulator.Audit.Writes.First(w => w.Subresource == "ephemeralcontainers");
        ledgerWrite.Timestamp.Should().BeOnOrBefore(containerWrite.Timestamp, "the ledger is written before the fault");
        pod.Metadata.Labels.Should().NotContainKey("chaos.testing/ledger");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before)
            .Should().OnlyContain(d => d.Contains("ephemeralContainers", StringComparison.Ordinal), "ephemeral containers cannot be removed; everything else is as before");
    }

    [Fact]
    public async Task Inject_WaitsUntilThePayloadReportsTheFaultInstalled()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Run(new MarkerFault([])).For(TimeSpan.FromMilliseconds(100)).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        var payloadName = $"chaos-cpu-stress-{result.ExperimentId}";
        var entries = cluster.Emulator.Audit.Entries;
        var added = entries.ToList().FindIndex(e => e.Subresource == "ephemeralcontainers");
        var logRead = entries.ToList().FindIndex(e => e.Subresource == "log" && e.Verb == "get");
        added.Should().BeGreaterThanOrEqualTo(0);
        logRead.Should().BeGreaterThan(added, "the payload's log is read after it was added, before the run holds");
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(result.Affected[0].Name, "shop");
        pod.Spec.EphemeralContainers.Single(c => c.Name == payloadName).TerminationMessagePolicy.Should().Be("FallbackToLogsOnError");
    }

    [Fact]
    public async Task PayloadThatCannotInstall_FailsTheRunWithItsOwnWords_AndLeavesThePodAsFound()
    {
        await using var cluster = await ShopCluster.StartAsync(configure: o => o.PayloadInstallError = "Error: Specified qdisc kind is unknown.");
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var result = await Run(new MarkerFault(["NET_ADMIN"])).For(TimeSpan.FromSeconds(30)).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed, result.ToReport());
        result.FailureReason.Should().Contain($"payload chaos-cpu-stress-{result.ExperimentId} in pod shop/")
            .And.Contain("could not install the fault: it exited 1 (Error) saying: Error: Specified qdisc kind is unknown.");
        (result.FinishedAt - result.StartedAt).Should().BeLessThan(TimeSpan.FromSeconds(30), "the run does not hold a fault that is not there");
        result.NotRecovered.Should().BeEmpty();
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "chaos.testing/ledger=true")).Items.Should().BeEmpty();
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before)
            .Should().OnlyContain(d => d.Contains("ephemeralContainers", StringComparison.Ordinal), "ephemeral containers cannot be removed; everything else is as before");
    }

    [Fact]
    public async Task PodLogsForbidden_TakesTheRunningPayloadAsInstalled_AndWarnsHowToFixIt()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var deny = cluster.Emulator.Authorization.Deny("get", "pods/log");
        var logger = new ListLogger();

        var result = await Run(new MarkerFault([])).For(TimeSpan.FromMilliseconds(100)).WithLogger(logger).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        logger.Lines.Should().Contain(l => l.StartsWith("Warning: Cannot read the log of payload", StringComparison.Ordinal)
            && l.Contains("Grant 'get' on 'pods/log'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PayloadThatEndedOnItsOwn_NeedsNoCleanupContainer()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Run(new MarkerFault([], payloadHold: TimeSpan.FromSeconds(1))).For(TimeSpan.FromMilliseconds(2500)).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[^1].Action.Should().Be($"payload chaos-cpu-stress-{result.ExperimentId} had ended and removed the fault");
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(result.Affected[0].Name, "shop");
        pod.Spec.EphemeralContainers.Should().ContainSingle();
    }

    [Fact]
    public async Task Cancelled_MidHold_TheCleanupContainerRemovesTheFault()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var cancel = new CancellationTokenSource();
        var run = Run(new MarkerFault([])).For(TimeSpan.FromMinutes(5)).RunAsync(cluster.Client, cancel.Token);
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.Any(p => p.Status.EphemeralContainerStatuses?.Count > 0), "the payload runs");
        await cancel.CancelAsync();

        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.Affected[^1].Action.Should().Contain("stopped early by");
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "chaos.testing/ledger=true")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Janitor_RecoversAPayloadWhoseRunIsGone()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var cancel = new CancellationTokenSource();
        var run = Run(new MarkerFault([])).For(TimeSpan.FromMinutes(5)).RunAsync(cluster.Client, cancel.Token);
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.Any(p => p.Status.EphemeralContainerStatuses?.Count > 0), "the payload runs");

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { Force = true });

        sweep.Recovered.Should().ContainSingle().Which.Should().Contain("stopped early by").And.Contain("forced");
        await cancel.CancelAsync();
        (await run).NotRecovered.Should().BeEmpty("the run's own recovery finds the entry gone");
    }

    [Fact]
    public async Task Preflight_PodSecurityAndHostNetwork_AreRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var ns = await cluster.Client.CoreV1.ReadNamespaceAsync("shop");
        ns.Metadata.Labels["pod-security.kubernetes.io/enforce"] = "baseline";
        await cluster.Client.CoreV1.ReplaceNamespaceAsync(ns, "shop");
        cluster.Emulator.Audit.Clear();

        var netAdmin = () => Run(new MarkerFault(["NET_ADMIN"])).RunAsync(cluster.Client);
        (await netAdmin.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("Namespace \"shop\" enforces Pod Security \"baseline\" (pod-security.kubernetes.io/enforce=baseline), which forbids adding the NET_ADMIN capability that mark needs.*Nothing was changed.");
        (await Run(new MarkerFault(["KILL"])).DryRun().RunAsync(cluster.Client)).Affected.Should().ContainSingle("KILL is allowed by baseline");

        ns = await cluster.Client.CoreV1.ReadNamespaceAsync("shop");
        ns.Metadata.Labels["pod-security.kubernetes.io/enforce"] = "restricted";
        await cluster.Client.CoreV1.ReplaceNamespaceAsync(ns, "shop");
        cluster.Emulator.Audit.Clear();
        var restricted = () => Run(new MarkerFault([])).RunAsync(cluster.Client);
        (await restricted.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Namespace \"shop\" enforces Pod Security \"restricted\"*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Preflight_MissingTargetContainer_IsRefused()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var run = () => Run(new MarkerFault([], target: "sidecar")).RunAsync(cluster.Client);
        (await run.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Pod shop/cart-* has no container \"sidecar\" (it has cart). Fix the Container option of mark*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    private static ChaosExperiment Run(MarkerFault fault) => new(new FaultBinding<V1Pod>(Experiment.On(Cart), fault));

    /// <summary>A minimal payload: touches a marker file, removes it in cleanup.</summary>
    private sealed class MarkerFault(IReadOnlyList<string> capabilities, string? target = null, TimeSpan? payloadHold = null) : PodPayloadFault
    {
        public override FaultDescriptor Definition { get; } =
            PodPayloadDescriptor("cpu-stress", null, CpuStressFault.Descriptor.Sample, new PayloadProfile("example/tools:1", capabilities, SharesTargetProcesses: true));

        public override string Verb => "mark";

        public override void Validate(ICollection<string> errors)
        {
        }

        protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = "example/tools:1", TargetContainer = target };

        protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
            new PayloadScript(tag).Install("touch", "/tmp/marker").Cleanup("rm", "-f", "/tmp/marker");

        protected override string Describe(V1Pod pod) => "marker set";

        protected override TimeSpan PayloadHold(FaultContext context) => payloadHold ?? context.Hold;
    }
}
