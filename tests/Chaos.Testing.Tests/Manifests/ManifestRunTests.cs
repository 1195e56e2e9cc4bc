using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.Manifests.ManifestLoadingTests;

namespace Chaos.Testing.Tests.Manifests;

/// <summary>Manifests run on the emulator: every action of the format for real, in dependsOn order, with the operator's status vocabulary.</summary>
public sealed class ManifestRunTests
{
    private const string Cart = "namespace: shop\nselector: { app: cart }";

    /// <summary>Each action with the fields it needs; load order is the reverse of the dependsOn chain, so the run order proves the sort.</summary>
    private static readonly (string Action, string Fields)[] Actions =
    [
        ("pod-cpu-stress", "duration: 5s\ncpuLoad: 50\ncpuWorkers: 2"),
        ("node-cpu-stress", "duration: 5s\ncpuLoad: 20"),
        ("pod-memory-stress", "duration: 5s\nmemorySize: 16M\nmemoryWorkers: 2"),
        ("pod-network-loss", "duration: 5s\nlossPercentage: 20\nlossCorrelation: 10"),
        ("pod-network-corruption", "duration: 5s\ncorruptionPercentage: 3"),
        ("pod-delay", "duration: 1s\nexperimentDuration: 5s"),
        ("pod-disk-fill", "duration: 5s\nfillPercentage: 60"),
        ("node-disk-fill", "duration: 5s\nfillPercentage: 55\ntargetPath: /var/tmp"),
        ("network-partition", "duration: 5s\ndirection: egress\ntargetCIDRs: [10.96.0.0/12]"),
        ("node-taint", "duration: 5s\ntaintKey: chaos.example/manifest\ntaintValue: \"on\"\ntaintEffect: PreferNoSchedule"),
        ("pod-failure", "experimentDuration: 5s"),
        ("pod-restart", "restartInterval: 1s"),
        ("node-drain", "experimentDuration: 5s"),
        ("pod-kill", "count: 1"),
    ];

    [Fact]
    public async Task EveryActionOfTheFormat_RunsForReal_InDependsOnOrder_WithTheOperatorsStatus()
    {
        await using var cluster = await ShopCluster.StartAsync(replicas: 4);
        var docs = Actions.Select((a, i) => Manifest(a.Action, $"action: {a.Action}\n{Cart}\n{a.Fields}" + (i == 0 ? string.Empty : $"\ndependsOn: [{Actions[i - 1].Action}]")));
        var set = ChaosManifest.Parse(string.Join("\n---\n", docs.Reverse()), "all-actions.yaml");
        set.Problems.Should().BeEmpty();

        // Each payload's pod as the API server holds it right after its run (later actions restart, drain and kill pods).
        var snapshots = new Dictionary<string, Task<V1Pod>>();
        var progress = new Snapshot(r =>
        {
            if (r.AffectedPods.Count > 0 && r.AffectedPods[0].Contains(':', StringComparison.Ordinal))
            {
                snapshots[r.Manifest.Name] = cluster.Client.CoreV1.ReadNamespacedPodAsync(r.Result!.Affected[0].Name, "shop");
            }
        });

        // The holds of the manifests are seconds (the format has no shorter unit); this test shortens them (their mapping has its own tests).
        var batch = await set.RunAsync(cluster.Client, new ManifestRunOptions
        {
            Progress = progress,
            Configure = (_, experiment) => experiment.For(TimeSpan.FromMilliseconds(300)).Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(20))),
        });

        batch.Results.Select(r => r.Manifest.Name).Should().Equal(Actions.Select(a => a.Action));
        batch.Results.Should().OnlyContain(r => r.Outcome == ManifestOutcome.Passed && r.Phase == "Completed" && r.RetryCount == 0 && r.LastError == null, batch.ToReport());
        batch.AllHeld.Should().BeTrue();
        var writes = cluster.Emulator.Audit.Writes.Where(w => w.StatusCode < 300).ToList();
        foreach (var result in batch.Results)
        {
            var run = result.Result!;
            var fault = ManifestActions.FaultOf(result.Manifest.Spec.Action)!;
            var target = run.Affected[0];
            switch (fault.Mechanism)
            {
                case FaultMechanism.PodPayload:
                    var container = $"chaos-{fault.Name}-{run.ExperimentId}";
                    result.AffectedPods.Should().ContainSingle().Which.Should().Be($"shop/{target.Name}:{container}");
                    (await snapshots[result.Manifest.Name]).Spec.EphemeralContainers.Should().Contain(c => c.Name == container, "the API server holds the {0} payload", fault.Name);
                    break;
                case FaultMechanism.NodePayload:
                    writes.Should().Contain(w => w.Verb == "create" && w.Resource == "pods" && w.Namespace == "default", "a {0} payload pod was created", fault.Name);
                    writes.Count(w => w.Verb == "update" && w.Resource == "nodes" && w.Name == target.Name).Should().BeGreaterThanOrEqualTo(2, "node {0} carried the {1} ledger entry", target.Name, fault.Name);
                    break;
                case FaultMechanism.Delete:
                    writes.Should().Contain(w => w.Verb == "delete" && w.Resource == "pods" && w.Name == target.Name, "{0} deleted pod {1}", fault.Name, target.Name);
                    result.AffectedPods.Should().Contain($"shop/{target.Name}");
                    break;
                default:
                    writes.Count(w => w.Name == target.Name && w.Verb == "update" && w.Subresource == null).Should().BeGreaterThanOrEqualTo(2, "{0} changed {1} and restored it", fault.Name, target.Name);
                    break;
            }
        }

        Single(batch, "node-taint").TaintedNodes.Should().ContainSingle().And.Equal(Single(batch, "node-taint").Result!.Affected[0].Name);
        Single(batch, "node-drain").CordonedNodes.Should().ContainSingle();
        Single(batch, "pod-restart").Notes.Should().ContainSingle(n => n.StartsWith("restartInterval 1s: pods are restarted one at a time", StringComparison.Ordinal));
        (await cluster.Client.CoreV1.ListNodeAsync()).Items.Should().OnlyContain(n => n.Spec.Taints == null || n.Spec.Taints.Count == 0).And.OnlyContain(n => n.Spec.Unschedulable != true);
    }

    [Fact]
    public async Task SafetyAndScheduling_SkipRefuseAndSaySo_BeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync(extraYaml: """
            apiVersion: v1
            kind: Namespace
            metadata: { name: vault, labels: { chaos.gushchin.dev/exclude: "true" } }
            ---
            apiVersion: v1
            kind: Namespace
            metadata: { name: payments, annotations: { chaos.gushchin.dev/production: "true" } }
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: ledger, namespace: payments }
            spec:
              replicas: 2
              selector: { matchLabels: { app: ledger } }
              template:
                metadata: { labels: { app: ledger } }
                spec: { containers: [ { name: ledger, image: example/ledger:1 } ] }
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: vip, namespace: shop }
            spec:
              replicas: 2
              selector: { matchLabels: { app: vip } }
              template:
                metadata: { labels: { app: vip, chaos.gushchin.dev/exclude: "true" } }
                spec: { containers: [ { name: vip, image: example/vip:1 } ] }
            """);
        await cluster.WaitForReadyPodsAsync("payments", "app=ledger", 2);
        await cluster.WaitForReadyPodsAsync("shop", "app=vip", 2);
        cluster.Emulator.Audit.Clear();
        const string Kill = "action: pod-kill\n" + Cart;
        var set = ChaosManifest.Parse(string.Join("\n---\n",
            Manifest("paused", Kill + "\npaused: true"),
            Manifest("after-paused", Kill + "\ndependsOn: [paused]"),
            Manifest("outside", Kill + "\ntimeWindows: [ { type: Absolute, start: \"2020-01-01T00:00:00Z\", end: \"2020-01-02T00:00:00Z\" } ]"),
            Manifest("maintenance", Kill + "\nmaintenanceWindows: [ { type: Absolute, start: \"2020-01-01T00:00:00Z\", end: \"2999-01-01T00:00:00Z\" } ]"),
            Manifest("vault", "action: pod-kill\nnamespace: vault\nselector: { app: x }"),
            Manifest("payments", "action: pod-kill\nnamespace: payments\nselector: { app: ledger }"),
            Manifest("payments-allowed", "action: pod-kill\nnamespace: payments\nselector: { app: ledger }\nallowProduction: true\ndryRun: true"),
            Manifest("vip", "action: pod-kill\nnamespace: shop\nselector: { app: vip }"),
            Manifest("too-many", Kill + "\ncount: 2\nmaxPercentage: 50"),
            Manifest("scheduled", Kill + "\nschedule: \"@hourly\"\ndryRun: true")));
        set.Problems.Should().BeEmpty();

        var results = (await set.RunAsync(cluster.Client)).Results.ToDictionary(r => r.Manifest.Name);

        results["paused"].Should().BeEquivalentTo(new { Outcome = ManifestOutcome.Skipped, Phase = "Paused", Message = "Experiment is paused (spec.paused: true): not run." });
        results["after-paused"].Should().BeEquivalentTo(new { Outcome = ManifestOutcome.Skipped, Phase = "Pending" });
        results["after-paused"].Message.Should().Contain("depends on \"paused\", which did not complete (Skipped, phase Paused)");
        results["outside"].Should().BeEquivalentTo(new { Outcome = ManifestOutcome.Refused, Phase = "Pending" });
        results["outside"].Message.Should().Contain("outside every time window (timeWindows[0] Absolute 2020-01-01T00:00:00Z – 2020-01-02T00:00:00Z)");
        results["maintenance"].Message.Should().Contain("inside maintenanceWindows[0] Absolute 2020-01-01T00:00:00Z – 2999-01-01T00:00:00Z");
        results["vault"].Should().BeEquivalentTo(new { Outcome = ManifestOutcome.Refused, Phase = "Failed" });
        results["vault"].Message.Should().Contain("marked chaos.gushchin.dev/exclude=true");
        results["payments"].Message.Should().Contain("annotated chaos.gushchin.dev/production=true").And.Contain("allowProduction: true");
        results["payments-allowed"].Outcome.Should().Be(ManifestOutcome.DryRun, results["payments-allowed"].Message);
        results["vip"].Outcome.Should().Be(ManifestOutcome.Refused);
        results["vip"].Message.Should().Contain("2 excluded by chaos.gushchin.dev/exclude=true");
        results["too-many"].Should().BeEquivalentTo(new { Outcome = ManifestOutcome.Refused, Phase = "Failed" });
        results["too-many"].Message.Should().Contain("Safety.MaxPercentage is 50");
        results["scheduled"].Outcome.Should().Be(ManifestOutcome.DryRun);
        results["scheduled"].Notes.Should().ContainSingle().Which.Should().StartWith("schedule \"@hourly\" ignored: a one-shot run runs the experiment once, now; the long-running mode (RunScheduledAsync, `chaos run --schedule`) runs it on its cron (next: ");
        cluster.Emulator.Audit.Writes.Where(w => w.Resource != "events").Should().BeEmpty("every one of them was skipped, refused or a dry run");
    }

    [Fact]
    public async Task AFailedInjection_IsRetried_AsMaxRetriesAndBackoffSay()
    {
        await using var cluster = await ShopCluster.StartAsync(configure: o => o.PayloadInstallError = "stress-ng: not found");
        var set = ChaosManifest.Parse(Manifest("cpu", $"action: pod-cpu-stress\n{Cart}\nduration: 5s\ncpuLoad: 50\nmaxRetries: 1\nretryBackoff: fixed\nretryDelay: 1s"));

        var result = (await set.RunAsync(cluster.Client)).Results.Should().ContainSingle().Which;

        result.Should().BeEquivalentTo(new { Outcome = ManifestOutcome.Failed, Phase = "Failed", RetryCount = 1 });
        result.Message.Should().StartWith("Failed after 1 retry (maxRetries 1): the fault could not be injected:").And.Contain("stress-ng: not found");
        result.Notes.Should().ContainSingle(n => n.StartsWith("attempt 1 failed", StringComparison.Ordinal) && n.EndsWith("retrying in 1s (fixed backoff).", StringComparison.Ordinal));
        var payloads = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.SelectMany(p => p.Spec.EphemeralContainers ?? []).Select(c => c.Name);
        payloads.Where(n => !n.Contains("-cleanup", StringComparison.Ordinal)).Should().HaveCount(2, "one payload per attempt, seen by the API server");
    }

    private sealed class Snapshot(Action<ManifestRunResult> report) : IProgress<ManifestRunResult>
    {
        public void Report(ManifestRunResult value) => report(value);
    }

    private static ManifestRunResult Single(ManifestBatchResult batch, string name) => batch.Results.Single(r => r.Manifest.Name == name);
}
