using System.Net;
using System.Text.Json.Nodes;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Docs;

/// <summary>
/// Every snippet of docs/faults/pod-failure.md, node-drain.md, node-cordon.md, node-taint.md, custom.md and
/// docs/recovery.md, run against the emulator. The code between the "snippet" comments is the code on the page;
/// change both together. After each snippet the test checks what the page claims: the cluster is left as found
/// (nodes' and surviving pods' spec, labels and annotations), no ledger mark is left, and the actions are recorded.
/// </summary>
public sealed class StatefulFaultDocsTests(ITestOutputHelper output)
{
    private const string LedgerLabel = "chaos.testing/ledger";

    private const string CartImage = "example/cart:1.0";

    // The PodDisruptionBudget of docs/faults/node-drain.md, "When a budget does not let go".
    private const string CartBudgetYaml = """
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: cart
          namespace: shop
        spec:
          minAvailable: 3          # all three cart pods must stay: no eviction is allowed
          selector:
            matchLabels:
              app: cart
        """;

    // ---------------------------------------------------------------- docs/faults/pod-failure.md

    [Fact]
    public async Task PodFailure_SwapsTheImageForTheHold_ThenRestoresThePodExactly()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var during = ObserveAsync(async () =>
        {
            var pod = await Eventually.SingleAsync(() => MarkedPodsAsync(cluster.Client));
            var sweep = await ChaosJanitor.SweepAsync(cluster.Client);   // the janitor leaves a running experiment alone
            return (pod, sweep);
        });

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .Fail(o =>
            {
                o.Image = PodFailureOptions.DefaultImage;   // "rancher/mirrored-pause:3.6", the K3s sandbox image
                o.Containers.Add("cart");                    // default: every container of the pod
            })
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        result.Affected.Select(a => a.Action).Should().Equal(
            "containers cart now run rancher/mirrored-pause:3.6",     // injected
            "images restored: cart=example/cart:1.0");                 // recovered
        // end snippet

        output.WriteLine(result.ToReport());
        PodFailureOptions.DefaultImage.Should().Be("rancher/mirrored-pause:3.6");
        var (failed, sweepDuringHold) = await during;
        failed.Metadata.Name.Should().Be(result.Affected[0].Name);
        failed.Spec.Containers.Single().Image.Should().Be(PodFailureOptions.DefaultImage);
        failed.Metadata.Labels.Should().Contain(LedgerLabel, "true");
        var entry = JsonNode.Parse(failed.Metadata.Annotations[$"chaos.testing/ledger-{result.ExperimentId}"])!;
        entry["experiment"]!.GetValue<string>().Should().Be(result.ExperimentId);
        entry["fault"]!.GetValue<string>().Should().Be("pod-failure");
        entry["owner"]!["pid"]!.GetValue<int>().Should().Be(Environment.ProcessId);
        entry["recovery"]!["pause"]!.GetValue<string>().Should().Be(PodFailureOptions.DefaultImage);
        entry["recovery"]!["images"]!["cart"]!.GetValue<string>().Should().Be(CartImage);
        sweepDuringHold.Skipped.Should().ContainSingle().Which.Should().EndWith("its run is running in this process");
        sweepDuringHold.Recovered.Should().BeEmpty();

        result.Probes[0].TimeToRecovery.Should().BePositive("the failed pod was unready, not replaced, until its image came back");
        result.Probes[0].Samples.Should().Contain(s => !s.Held && s.Observed.StartsWith("2 of 3 pods ready (3 live)", StringComparison.Ordinal));

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("the pod is failed, not deleted, and restored exactly");
        (await MarkedPodsAsync(cluster.Client)).Should().BeEmpty();
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(failed.Metadata.Name, "shop");
        pod.Metadata.Uid.Should().Be(failed.Metadata.Uid, "it is the same pod");
        pod.Status.ContainerStatuses.Single().RestartCount.Should().Be(2, "the swap and the restore each restart the container");
        await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);

        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("shop", labelSelector: $"chaos.testing/experiment={result.ExperimentId}");
        events.Items.Select(e => (e.Reason, e.Type)).Should().BeEquivalentTo([("ChaosInjected", "Warning"), ("ChaosRecovered", "Normal")]);
        events.Items.Single(e => e.Reason == "ChaosInjected").Message.Should().StartWith("pod failure: containers cart now run rancher/mirrored-pause:3.6");
        cluster.Emulator.Audit.Writes.Where(w => w.Resource == "pods").Select(w => w.Verb).Should().Equal("update", "update");
    }

    [Fact]
    public async Task PodFailure_ChecksTheContainersAndRefusesASecondFailureOfOnePod()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var missing = () => Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Fail(o => o.Containers.Add("sidecar")).RunAsync(cluster.Client);
        (await missing.Should().ThrowAsync<ChaosRefusedException>()).WithMessage(
            "Pod shop/cart-* has no container \"sidecar\" (it has cart). Fix PodFailure.Containers, or leave it empty to fail every container. Nothing was changed.");

        var first = Experiment.On(Pods.In("shop").WithLabel("app", "cart")).All().Fail()
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; })
            .For(TimeSpan.FromMilliseconds(500))
            .RunAsync(cluster.Client);
        await Eventually.TrueAsync(async () => (await MarkedPodsAsync(cluster.Client)).Count == 3, "three failed pods");
        var second = () => Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Fail().RunAsync(cluster.Client);
        (await second.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Pod shop/cart-* is already failed by experiment *Nothing was changed.");
        (await first).Verdict.Should().Be(ExperimentVerdict.Passed);

        var dryRun = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Fail().DryRun().RunAsync(cluster.Client);
        dryRun.Affected.Should().ContainSingle().Which.Action.Should().Be("would fail");
    }

    // ---------------------------------------------------------------- docs/faults/node-drain.md

    [Fact]
    public async Task NodeDrain_CordonsEvictsAndUncordons()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var during = ObserveAsync(() => Eventually.SingleAsync(() => MarkedNodesAsync(cluster.Client)));

        // snippet
        var result = await Experiment.On(Nodes.All())
            .One()                                              // the default; also All(), Count(n), WithSeed(seed)
            .Drain(o =>
            {
                o.Timeout = TimeSpan.FromSeconds(30);           // default 2 minutes: how long budgets may refuse
                o.GracePeriod = TimeSpan.FromSeconds(5);        // default null: each pod's own grace period
                o.EvictUnmanagedPods = false;                   // the default: refuse nodes with pods nobody recreates
            })
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        var node = result.Affected[0].Name;
        result.Affected.Select(a => a.Action).Should().Equal("cordoned", $"evicted from {node}", "uncordoned");
        // end snippet

        output.WriteLine(result.ToReport());
        result.Affected.Select(a => a.Kind).Should().Equal("Node", "Pod", "Node");
        result.Affected[0].Namespace.Should().BeNull();
        result.Affected[1].Namespace.Should().Be("shop");
        result.Should().HaveAffected(2, "the node and the evicted pod");
        var drained = await during;
        drained.Metadata.Name.Should().Be(node);
        drained.Spec.Unschedulable.Should().BeTrue();
        JsonNode.Parse(drained.Metadata.Annotations[$"chaos.testing/ledger-{result.ExperimentId}"])!["fault"]!.GetValue<string>().Should().Be("node-drain");

        var evicted = result.Affected[1].Name;
        before.Pods.Should().ContainKey($"shop/{evicted}");
        var eviction = cluster.Emulator.Audit.Writes.Should().ContainSingle(w => w.Subresource == "eviction").Which;
        (eviction.Verb, eviction.Name).Should().Be(("create", evicted));
        var replacements = await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);
        replacements.Should().NotContain(p => p.Metadata.Name == evicted, "an evicted pod is replaced by its controller, not restored");

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before).Should().BeEmpty("the node and the surviving pods are left as found");
        (await MarkedNodesAsync(cluster.Client)).Should().BeEmpty();
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", labelSelector: $"chaos.testing/experiment={result.ExperimentId}");
        events.Items.Select(e => (e.Reason, e.InvolvedObject.Kind, e.InvolvedObject.Name)).Should().BeEquivalentTo([("ChaosInjected", "Node", node), ("ChaosRecovered", "Node", node)]);
    }

    [Fact]
    public async Task NodeDrain_SkipsDaemonSetPods_RefusesUnmanagedPodsNamedNodesAndForbiddenEvictions()
    {
        await using var cluster = await ShopCluster.StartAsync(extraYaml: """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: agent
              namespace: shop
            spec:
              selector:
                matchLabels:
                  app: agent
              template:
                metadata:
                  labels:
                    app: agent
                spec:
                  containers:
                    - name: agent
                      image: example/agent:1.0
            """);
        await cluster.WaitForReadyPodsAsync("shop", "app=agent", 3);

        var dryRun = await Experiment.On(Nodes.All()).WithSeed(1).Drain().DryRun().RunAsync(cluster.Client);
        var node = dryRun.Affected.Should().ContainSingle().Which;
        node.Action.Should().Be("would drain");
        dryRun.Timeline.Should().Contain(t => t.Phase == "plan"
            && t.Message.StartsWith($"drain {node.Name}: 1 pod(s) to evict, skipped shop/agent-", StringComparison.Ordinal)
            && t.Message.EndsWith(" (DaemonSet)", StringComparison.Ordinal));

        await cluster.Client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "debug", NamespaceProperty = "shop" },
                Spec = new V1PodSpec { NodeName = "node-2", Containers = [new V1Container { Name = "debug", Image = "example/debug:1.0" }] },
            },
            "shop");
        cluster.Emulator.Audit.Clear();
        var refused = () => Experiment.On(Nodes.Named("node-2")).Drain().RunAsync(cluster.Client);
        (await refused.Should().ThrowAsync<ChaosRefusedException>()).Which.Message.Should().Be(
            "Node node-2 runs pods without a controller (shop/debug); a drain would delete them for good. Set Drain.EvictUnmanagedPods = true if that is intended (as kubectl drain --force), or pick another node. Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();

        // The share guards compare with every Ready, not excluded node of the cluster, whatever the target.
        var two = () => Experiment.On(Nodes.All()).Count(2).Drain().DryRun().RunAsync(cluster.Client);
        (await two.Should().ThrowAsync<ChaosRefusedException>()).Which.Message.Should().Be(
            "Refusing to drain 2 of 3 eligible Ready nodes of the cluster (66.7%): Safety.MaxPercentage is 50. Pick fewer with One()/Count()/Percent(), or raise the limit with .WithSafety(s => s.MaxPercentage = 67). Nothing was changed.");
        var named = await Experiment.On(Nodes.Named("node-1")).Drain().DryRun().RunAsync(cluster.Client);
        named.Timeline.Should().Contain(t => t.Phase == "guard" && t.Message == "1 of 3 (33.3%) within Safety.MaxPercentage 50, 2 untouched");
        var unknown = () => Experiment.On(Nodes.Named("node-9")).Drain().DryRun().RunAsync(cluster.Client);
        (await unknown.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("No node named \"node-9\" in the cluster (nodes: node-1, node-2, node-3)*");

        // A 403 on an eviction stops the experiment with a refusal, after recovery has uncordoned the node.
        using (cluster.Emulator.Authorization.Deny("create", "pods/eviction"))
        {
            var forbidden = () => Experiment.On(Nodes.All().Except("node-2")).Drain().RunAsync(cluster.Client);
            (await forbidden.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("The Kubernetes API refused to create pods/eviction in namespace \"shop\" (403 Forbidden)*");
        }

        (await MarkedNodesAsync(cluster.Client)).Should().BeEmpty();
        (await cluster.Client.CoreV1.ListNodeAsync()).Items.Should().OnlyContain(n => n.Spec.Unschedulable == null);
    }

    [Fact]
    public async Task NodeDrain_BudgetThatNeverAllowsAnEviction_FailsAndUncordons()
    {
        await using var cluster = await ShopCluster.StartAsync(extraYaml: CartBudgetYaml);
        var before = await ClusterState.CaptureAsync(cluster.Client);

        // snippet
        var result = await Experiment.On(Nodes.All())
            .Drain(o => o.Timeout = TimeSpan.FromSeconds(1))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().Contain("could not be evicted within 1s (Drain.Timeout)")
            .And.Contain("its PodDisruptionBudget allows no disruption");
        result.Affected.Select(a => a.Action).Should().Equal("cordoned", "uncordoned");
        // end snippet

        output.WriteLine(result.ToReport());
        var node = result.Affected[0].Name;
        var blocked = before.Pods.Keys.Single(k => k.StartsWith("shop/cart-", StringComparison.Ordinal) && before.Pods[k].Contains($"\"nodeName\":\"{node}\"", StringComparison.Ordinal));
        result.FailureReason.Should().StartWith($"the fault could not be injected: the drain did not finish: pod {blocked} on {node} could not be evicted within 1s (Drain.Timeout): refused ")
            .And.EndWith(". Raise Drain.Timeout, or relax the budget");
        result.Timeline.Should().NotContain(t => t.Phase == "hold", "a failed drain skips the hold");
        cluster.Emulator.Audit.Entries.Where(e => e.Subresource == "eviction").Should().OnlyContain(e => e.StatusCode == 429);

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("nothing was evicted and the node was uncordoned");
        (await MarkedNodesAsync(cluster.Client)).Should().BeEmpty();
    }

    // ---------------------------------------------------------------- docs/faults/node-cordon.md

    [Fact]
    public async Task NodeCordon_MarksOneNodeUnschedulableForTheHold()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var during = ObserveAsync(() => Eventually.SingleAsync(() => MarkedNodesAsync(cluster.Client)));

        // snippet
        var result = await Experiment.On(Nodes.All().Except("node-1"))   // node-2 or node-3
            .Cordon()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        result.Affected.Select(a => a.Action).Should().Equal("cordoned", "uncordoned");
        // end snippet

        output.WriteLine(result.ToReport());
        result.Affected[0].Name.Should().BeOneOf("node-2", "node-3");
        result.Description.Should().Be("cordon one of nodes except node-1");
        var cordoned = await during;
        cordoned.Metadata.Name.Should().Be(result.Affected[0].Name);
        cordoned.Spec.Unschedulable.Should().BeTrue();
        var entry = JsonNode.Parse(cordoned.Metadata.Annotations[$"chaos.testing/ledger-{result.ExperimentId}"])!;
        entry["fault"]!.GetValue<string>().Should().Be("node-cordon");
        entry["recovery"]!["cordoned"]!.GetValue<bool>().Should().BeTrue();

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("a cordon touches no pod, and the node is left as found");
        (await cluster.Client.CoreV1.ReadNodeAsync(result.Affected[0].Name)).Spec.Unschedulable.Should().BeNull("it was absent before");
        (await MarkedNodesAsync(cluster.Client)).Should().BeEmpty();
    }

    [Fact]
    public async Task NodeCordon_NodeCordonedBefore_StaysCordoned()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"unschedulable\":true}}", V1Patch.PatchType.MergePatch), "node-2");
        var before = await ClusterState.CaptureAsync(cluster.Client);

        // snippet
        var result = await Experiment.On(Nodes.Named("node-2"))            // cordoned by an operator before
            .Cordon()
            .For(TimeSpan.FromMilliseconds(200))
            .RunAsync(cluster.Client);

        result.Affected.Select(a => a.Action).Should().Equal(
            "already cordoned (left cordoned after recovery)",
            "left cordoned (it was cordoned before)");
        // end snippet

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable.Should().BeTrue();
        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
        (await MarkedNodesAsync(cluster.Client)).Should().BeEmpty();

        // Two cordons on one node: the one that cordoned it ends first and hands the uncordon over.
        await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"unschedulable\":null}}", V1Patch.PatchType.MergePatch), "node-2");
        var node2 = Experiment.On(Nodes.Named("node-2")).Cordon();
        var firstRun = node2.For(TimeSpan.FromMilliseconds(400)).RunAsync(cluster.Client);
        await Eventually.SingleAsync(() => MarkedNodesAsync(cluster.Client));
        var secondRun = node2.For(TimeSpan.FromMilliseconds(800)).RunAsync(cluster.Client);
        var (first, second) = (await firstRun, await secondRun);
        first.Affected.Select(a => a.Action).Should().Equal("cordoned", $"left cordoned for experiment {second.ExperimentId}, which uncordons it when it ends");
        second.Affected.Select(a => a.Action).Should().Equal("already cordoned (left cordoned after recovery)", "uncordoned");
        (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable.Should().BeNull();
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().ContainSingle("only node-2's cordon by the operator is undone")
            .Which.Should().StartWith("node node-2 changed");
    }

    // ---------------------------------------------------------------- docs/faults/node-taint.md

    [Fact]
    public async Task NodeTaint_NoExecute_EvictsUntoleratedPodsAndRemovesOnlyItsTaint()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var during = ObserveAsync(() => Eventually.SingleAsync(() => MarkedNodesAsync(cluster.Client)));

        // snippet
        var result = await Experiment.On(Nodes.All().WithLabel("kubernetes.io/os", "linux"))
            .Taint(o =>
            {
                o.Key = "maintenance";                 // default "chaos.testing/taint"
                o.Value = "chaos";                     // default empty
                o.Effect = TaintEffect.NoExecute;      // default NoSchedule
            })
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        result.Affected.Select(a => a.Action).Should().Equal(
            "tainted maintenance=chaos:NoExecute",
            "taint maintenance=chaos:NoExecute removed");
        // end snippet

        output.WriteLine(result.ToReport());
        var node = result.Affected[0].Name;
        var tainted = await during;
        tainted.Metadata.Name.Should().Be(node);
        var taint = tainted.Spec.Taints.Should().ContainSingle().Which;
        (taint.Key, taint.Value, taint.Effect).Should().Be(("maintenance", "chaos", "NoExecute"));
        taint.TimeAdded.Should().NotBeNull();

        var onNode = before.Pods.Keys.Single(k => before.Pods[k].Contains($"\"nodeName\":\"{node}\"", StringComparison.Ordinal));
        var replacements = await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);
        replacements.Select(p => $"shop/{p.Metadata.Name}").Should().NotContain(onNode, "the cluster evicted the pod that did not tolerate the taint");
        result.Affected.Should().NotContain(a => a.Kind == "Pod", "the taint manager's evictions are not the experiment's");

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before).Should().BeEmpty("the node is left as found; the other pods were not touched");
        (await cluster.Client.CoreV1.ReadNodeAsync(node)).Spec.Taints.Should().BeNull("the node had no taint before");
        (await MarkedNodesAsync(cluster.Client)).Should().BeEmpty();

        // A node that already has a taint with the same key and effect is refused before any write.
        await cluster.Client.CoreV1.PatchNodeAsync(
            new V1Patch("{\"spec\":{\"taints\":[{\"key\":\"maintenance\",\"value\":\"drain\",\"effect\":\"NoSchedule\"}]}}", V1Patch.PatchType.MergePatch), "node-2");
        cluster.Emulator.Audit.Clear();
        var refused = () => Experiment.On(Nodes.Named("node-2")).Taint(o => o.Key = "maintenance").RunAsync(cluster.Client);
        (await refused.Should().ThrowAsync<ChaosRefusedException>()).Which.Message.Should().Be(
            "Node node-2 already has the taint maintenance=drain:NoSchedule; recovery could not tell it from ours and would remove it. Use another Taint.Key, or another node. Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();

        // The default taint has no value; recovery removes it and leaves the node's other taints alone.
        var defaults = await Experiment.On(Nodes.Named("node-2")).Taint()
            .For(TimeSpan.FromMilliseconds(100))
            .RunAsync(cluster.Client);
        defaults.Affected.Select(a => a.Action).Should().Equal("tainted chaos.testing/taint:NoSchedule", "taint chaos.testing/taint:NoSchedule removed");
        (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Taints.Select(t => $"{t.Key}={t.Value}:{t.Effect}").Should().Equal("maintenance=drain:NoSchedule");
    }

    // ---------------------------------------------------------------- docs/faults/custom.md

    [Fact]
    public async Task Custom_InjectAndRecoverRunWithTheLedger()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var during = ObserveAsync(() => Eventually.SingleAsync(() => PodsWithLatencyAsync(cluster.Client)));

        // snippet
        Func<CustomFaultContext, CancellationToken, Task> addLatency = async (ctx, ct) =>
        {
            foreach (var pod in ctx.Pods)
            {
                await ctx.Client.CoreV1.PatchNamespacedPodAsync(
                    new V1Patch("""{"metadata":{"annotations":{"latency-ms":"500"}}}""", V1Patch.PatchType.MergePatch),
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            }
        };
        Func<CustomFaultContext, CancellationToken, Task> removeLatency = async (ctx, ct) =>   // idempotent
        {
            foreach (var pod in ctx.Pods)
            {
                try
                {
                    await ctx.Client.CoreV1.PatchNamespacedPodAsync(
                        new V1Patch("""{"metadata":{"annotations":{"latency-ms":null}}}""", V1Patch.PatchType.MergePatch),
                        pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    // the pod is gone: nothing to undo
                }
            }
        };

        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .Inject(addLatency, recover: removeLatency, name: "add-latency")
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        result.Affected.Select(a => a.Action).Should().Equal(
            "custom fault \"add-latency\" injected",
            "custom fault \"add-latency\" recovered");
        // end snippet

        output.WriteLine(result.ToReport());
        result.Description.Should().Be("inject \"add-latency\" into one of pods in shop with labels app=cart");
        var injected = await during;
        injected.Metadata.Name.Should().Be(result.Affected[0].Name);
        injected.Metadata.Annotations["latency-ms"].Should().Be("500");
        var entry = JsonNode.Parse(injected.Metadata.Annotations[$"chaos.testing/ledger-{result.ExperimentId}"])!;
        entry["fault"]!.GetValue<string>().Should().Be("custom");
        entry["recovery"]!["name"]!.GetValue<string>().Should().Be("add-latency");

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("the annotation and the ledger entry are gone again");
        (await MarkedPodsAsync(cluster.Client)).Should().BeEmpty();
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("shop", labelSelector: $"chaos.testing/experiment={result.ExperimentId}");
        events.Items.Select(e => e.Reason).Should().BeEquivalentTo("ChaosInjected", "ChaosRecovered");

        var dryRun = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Inject(addLatency, removeLatency, "add-latency").DryRun().RunAsync(cluster.Client);
        dryRun.Affected.Should().ContainSingle().Which.Action.Should().Be("would inject \"add-latency\" into");
    }

    [Fact]
    public async Task Custom_FailedRecover_IsFinishedByTheJanitorWithTheRegisteredRecovery()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        Func<CustomFaultContext, CancellationToken, Task> addLatency = async (ctx, ct) =>
        {
            foreach (var pod in ctx.Pods)
            {
                await ctx.Client.CoreV1.PatchNamespacedPodAsync(
                    new V1Patch("""{"metadata":{"annotations":{"latency-ms":"500"}}}""", V1Patch.PatchType.MergePatch),
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            }
        };
        Func<CustomFaultContext, CancellationToken, Task> removeLatency = async (ctx, ct) =>
        {
            foreach (var pod in ctx.Pods)
            {
                try
                {
                    await ctx.Client.CoreV1.PatchNamespacedPodAsync(
                        new V1Patch("""{"metadata":{"annotations":{"latency-ms":null}}}""", V1Patch.PatchType.MergePatch),
                        pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
                {
                }
            }
        };

        // The identity loses "patch" on pods during the hold: the recover delegate is refused with 403.
        var run = Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .Inject(addLatency, recover: removeLatency, name: "add-latency")
            .For(TimeSpan.FromMilliseconds(500))
            .RunAsync(cluster.Client);
        var marked = await Eventually.SingleAsync(() => PodsWithLatencyAsync(cluster.Client));
        ChaosResult result;
        using (cluster.Emulator.Authorization.Deny("patch", "pods", "shop"))
        {
            result = await run;
        }

        output.WriteLine(result.ToReport());
        (await MarkedPodsAsync(cluster.Client)).Should().ContainSingle().Which.Metadata.Annotations.Should().ContainKey("latency-ms");

        // snippet
        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.NotRecovered.Should().ContainSingle()
            .Which.Should().Contain("the recover delegate of custom fault \"add-latency\" failed");

        var plain = await ChaosJanitor.SweepAsync(cluster.Client);              // does not know "add-latency"
        plain.Failed.Should().ContainSingle().Which.Should().Contain("has no registered recovery");

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client,
            new SweepOptions().RecoverCustom("add-latency", removeLatency));
        sweep.Recovered.Should().ContainSingle().Which.Should().EndWith("custom recovery ran");
        sweep.IsClean.Should().BeTrue();
        // end snippet

        output.WriteLine(sweep.ToString());
        result.NotRecovered.Single().Should().StartWith($"Pod shop/{marked.Metadata.Name} (the recover delegate");
        plain.Failed.Single().Should().Be(
            $"Pod shop/{marked.Metadata.Name}, experiment {result.ExperimentId} (custom): custom fault \"add-latency\" has no registered recovery; pass it with new SweepOptions().RecoverCustom(\"add-latency\", recover) and sweep again (the ledger entry stays until then)");
        plain.IsClean.Should().BeFalse();
        sweep.Recovered.Single().Should().Be(
            $"Pod shop/{marked.Metadata.Name}, experiment {result.ExperimentId} (custom), its run holds no Lease (it has ended): custom recovery ran");

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
        (await MarkedPodsAsync(cluster.Client)).Should().BeEmpty();
    }

    // ---------------------------------------------------------------- docs/recovery.md

    // "When recovery fails"
    [Fact]
    public async Task Recovery_RefusedRestore_LeavesTheLedgerForTheJanitor()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);

        // The identity loses "update" on pods during the hold: the restore is refused with 403.
        var run = Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Fail()
            .For(TimeSpan.FromMilliseconds(500))
            .RunAsync(cluster.Client);
        var failed = await Eventually.SingleAsync(() => MarkedPodsAsync(cluster.Client));
        ChaosResult result;
        using (cluster.Emulator.Authorization.Deny("update", "pods", "shop"))
        {
            result = await run;
        }

        output.WriteLine(result.ToReport());
        (await MarkedPodsAsync(cluster.Client)).Should().ContainSingle().Which.Spec.Containers.Single().Image.Should().Be(PodFailureOptions.DefaultImage);

        // snippet
        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.NotRecovered.Should().ContainSingle().Which.Should().Contain("403 Forbidden");
        result.FailureReason.Should().StartWith("recovery failed, 1 object(s) may still be changed");

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);              // once the permission is back
        sweep.Recovered.Should().ContainSingle()
            .Which.Should().EndWith("its run holds no Lease (it has ended): images restored: cart=example/cart:1.0");
        sweep.IsClean.Should().BeTrue();
        // end snippet

        result.NotRecovered.Single().Should().StartWith($"Pod shop/{failed.Metadata.Name} (The Kubernetes API refused to update pods in namespace \"shop\" (403 Forbidden)");
        result.FailureReason.Should().Contain($"Their ledger annotations (chaos.testing/ledger-{result.ExperimentId}) stay, so ChaosJanitor.SweepAsync recovers them")
            .And.Contain("as soon as this run has given up its Lease (when it ends)");
        result.ToReport().Should().Contain("Not recovered (1), left for ChaosJanitor.SweepAsync:");
        sweep.Recovered.Single().Should().StartWith($"Pod shop/{failed.Metadata.Name}, experiment {result.ExperimentId} (pod-failure), ");

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("the janitor restored the pod exactly");
        (await MarkedPodsAsync(cluster.Client)).Should().BeEmpty();
        (await ChaosJanitor.SweepAsync(cluster.Client)).Should().BeEquivalentTo(new SweepResult(), "a second sweep finds nothing");
    }

    // "The janitor": what a crashed run leaves, recovered because its process is gone.
    [Fact]
    public async Task Recovery_Janitor_RecoversTheEntryOfARunThatHoldsNoLease()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var pod = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart")).Items[0];
        await LeaveCrashedPodFailureAsync(cluster.Client, pod.Metadata.Name, "0123456789ab", Environment.MachineName, int.MaxValue);

        // snippet
        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);
        output.WriteLine(sweep.ToString());
        sweep.IsClean.Should().BeTrue();
        // end snippet

        sweep.Recovered.Should().Equal(
            $"Pod shop/{pod.Metadata.Name}, experiment 0123456789ab (pod-failure), its run holds no Lease (it has ended): images restored: cart=example/cart:1.0");
        sweep.ToString().Should().StartWith("Sweep: 1 recovered, 0 skipped, 0 failed" + Environment.NewLine + "  recovered: Pod shop/");
        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
        (await MarkedPodsAsync(cluster.Client)).Should().BeEmpty();
        await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);
    }

    // "Options": Force takes over a run that still renews its Lease; the run learns it.
    [Fact]
    public async Task Recovery_Janitor_SkipsARunThatRenewsItsLease_WhateverTheClock_UntilForcedOrItStopsRenewing()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        await LeaveCordonFromAnotherMachineAsync(cluster.Client, "node-2", "0123456789ab");
        var lease = await TestLedger.HoldLeaseAsync(cluster.Client, "0123456789ab", TimeSpan.FromSeconds(4));

        // snippet
        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);
        sweep.Skipped.Should().ContainSingle();                 // the run renews its Lease: alive, wherever it runs

        var forced = await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { Force = true });
        forced.Recovered.Should().ContainSingle().Which.Should().EndWith(", forced: uncordoned");
        // end snippet

        sweep.IsClean.Should().BeFalse();
        sweep.Skipped.Single().Should().Be("Node node-2, experiment 0123456789ab (node-cordon): its run renews its Lease chaos-testing/chaos-run-0123456789ab");
        forced.Recovered.Single().Should().Be("Node node-2, experiment 0123456789ab (node-cordon), forced: uncordoned");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
        await lease.DisposeAsync();
        lease.TakenAway.Should().Contain("was deleted").And.Contain("recovered early", "the run learns that another process took over");

        // A janitor whose clock is an hour off either way judges the same; a run that stops renewing is taken over.
        await LeaveCordonFromAnotherMachineAsync(cluster.Client, "node-2", "ba9876543210");
        await using (await TestLedger.HoldLeaseAsync(cluster.Client, "ba9876543210", TimeSpan.FromSeconds(4)))
        {
            foreach (var skew in new[] { TimeSpan.FromHours(1), TimeSpan.FromHours(-1) })
            {
                var skewed = await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { TimeProvider = new SkewedClock(skew) });
                skewed.Skipped.Should().ContainSingle().Which.Should().EndWith("its run renews its Lease chaos-testing/chaos-run-ba9876543210", $"a clock {skew} off");
                (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable.Should().BeTrue();
            }
        }

        // The Lease was given up (the run ended) and the entry stayed: recovered at once.
        var late = await ChaosJanitor.SweepAsync(cluster.Client);
        late.Recovered.Should().Equal("Node node-2, experiment ba9876543210 (node-cordon), its run holds no Lease (it has ended): uncordoned");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
        (await MarkedNodesAsync(cluster.Client)).Should().BeEmpty();
    }

    // A run killed mid-hold leaves its Lease unrenewed: the janitor watches it for the Lease's duration, then takes over.
    [Fact]
    public async Task Recovery_Janitor_TakesOverARunWhoseLeaseIsNotRenewed()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        await LeaveCordonFromAnotherMachineAsync(cluster.Client, "node-2", "0123456789ab");
        await TestLedger.LeaveUnrenewedLeaseAsync(cluster.Client, "0123456789ab", seconds: 2);

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Recovered.Should().Equal("Node node-2, experiment 0123456789ab (node-cordon), its Lease was not renewed for 3s: uncordoned");
        (await cluster.Client.CoordinationV1.ListNamespacedLeaseAsync("chaos-testing")).Items.Should().BeEmpty("the janitor took the Lease");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<IList<V1Pod>> MarkedPodsAsync(IKubernetes client) =>
        (await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: $"{LedgerLabel}=true")).Items;

    private static async Task<IList<V1Node>> MarkedNodesAsync(IKubernetes client) =>
        (await client.CoreV1.ListNodeAsync(labelSelector: $"{LedgerLabel}=true")).Items;

    private static async Task<IList<V1Pod>> PodsWithLatencyAsync(IKubernetes client) =>
        (await MarkedPodsAsync(client)).Where(p => p.Metadata.Annotations.ContainsKey("latency-ms")).ToList();

    /// <summary>Starts observing right away, before the experiment in the snippet starts, so the fault is seen while it holds.</summary>
    private static Task<T> ObserveAsync<T>(Func<Task<T>> observe) => Task.Run(observe);

    private static JsonObject Owner(string host, int pid) => new()
    {
        ["host"] = host,
        ["pid"] = pid,
        ["started"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
    };

    /// <summary>What a run that crashed during a pod failure leaves: the pause image and its ledger entry, written together.</summary>
    private static async Task LeaveCrashedPodFailureAsync(IKubernetes client, string podName, string experiment, string host, int pid)
    {
        var pod = await client.CoreV1.ReadNamespacedPodAsync(podName, "shop");
        var entry = new JsonObject
        {
            ["experiment"] = experiment,
            ["fault"] = "pod-failure",
            ["deadline"] = DateTimeOffset.UtcNow.AddMinutes(10).ToString("O"),
            ["owner"] = Owner(host, pid),
            ["recovery"] = new JsonObject
            {
                ["pause"] = PodFailureOptions.DefaultImage,
                ["images"] = new JsonObject { ["cart"] = pod.Spec.Containers.Single().Image },
            },
        };
        pod.Spec.Containers.Single().Image = PodFailureOptions.DefaultImage;
        await TestLedger.SealAsync(client, pod.Metadata, entry.ToJsonString());
        await client.CoreV1.ReplaceNamespacedPodAsync(pod, podName, "shop");
    }

    /// <summary>A cordon with its ledger entry, as a run on the machine "ci-runner-7" writes it; returns its deadline.</summary>
    private static async Task<DateTimeOffset> LeaveCordonFromAnotherMachineAsync(IKubernetes client, string nodeName, string experiment)
    {
        var deadline = new DateTimeOffset(DateTime.UtcNow.AddMinutes(10).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var node = await client.CoreV1.ReadNodeAsync(nodeName);
        var entry = new JsonObject
        {
            ["experiment"] = experiment,
            ["fault"] = "node-cordon",
            ["deadline"] = deadline.ToString("O"),
            ["owner"] = Owner("ci-runner-7", 4242),
            ["recovery"] = new JsonObject { ["cordoned"] = true, ["previous"] = null },
        };
        node.Spec.Unschedulable = true;
        await TestLedger.SealAsync(client, node.Metadata, entry.ToJsonString());
        await client.CoreV1.ReplaceNodeAsync(node, nodeName);
        return deadline;
    }
}
