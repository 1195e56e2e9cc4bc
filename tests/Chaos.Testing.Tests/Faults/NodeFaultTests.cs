using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>Cordon, taint and drain: injected as specified, recovered to the identical node, ledger gone.</summary>
public sealed class NodeFaultTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Percent_OnNodes_PicksThatShareRoundedDownButAtLeastOne()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var nodes = (await cluster.Client.CoreV1.ListNodeAsync()).Items.Count;

        var half = await Experiment.On(Nodes.All()).Percent(50).Cordon().DryRun().RunAsync(cluster.Client);
        var all = await Experiment.On(Nodes.All()).Percent(100).Cordon()
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; }).DryRun().RunAsync(cluster.Client);

        half.Affected.Should().HaveCount(Math.Max(1, nodes * 50 / 100));
        all.Affected.Should().HaveCount(nodes);
        half.Description.Should().Be("cordon 50% (rounded down, at least one) of nodes");
    }

    [Fact]
    public async Task Cordon_MarksTheNodeUnschedulableWithLedger_ThenRestoresItExactly()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var run = Experiment.On(Nodes.Named("node-2")).Cordon().For(Hold).RunAsync(cluster.Client);
        var during = await Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListNodeAsync(labelSelector: "chaos.testing/ledger=true")).Items);
        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        during.Metadata.Name.Should().Be("node-2");
        during.Spec.Unschedulable.Should().BeTrue();
        during.Metadata.Annotations[$"chaos.testing/ledger-{result.ExperimentId}"].Should().Contain("\"fault\":\"node-cordon\"").And.Contain("\"cordoned\":true");
        result.Affected.Select(a => $"{a.Kind} {a.Name}: {a.Action}").Should().Equal("Node node-2: cordoned", "Node node-2: uncordoned");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
    }

    [Fact]
    public async Task Cordon_NodeAlreadyCordoned_StaysCordonedAfterRecovery()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await SetUnschedulableAsync(cluster.Client, "node-2", true);
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var result = await Experiment.On(Nodes.Named("node-2")).Cordon().For(Hold).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected.Select(a => a.Action).Should().Equal("already cordoned (left cordoned after recovery)", "left cordoned (it was cordoned before)");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before).Should().BeEmpty();
        (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable.Should().BeTrue();
    }

    [Fact]
    public async Task Cordon_TwoOverlappingRuns_TheNodeIsUncordonedByTheLastOneToEnd()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var first = Experiment.On(Nodes.Named("node-2")).Cordon().For(TimeSpan.FromMilliseconds(200)).RunAsync(cluster.Client);
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable == true, "node-2 cordoned");
        var second = await Experiment.On(Nodes.Named("node-2")).Cordon().For(TimeSpan.FromMilliseconds(600)).RunAsync(cluster.Client);
        var firstResult = await first;

        firstResult.Affected[^1].Action.Should().StartWith($"left cordoned for experiment {second.ExperimentId}");
        second.Affected[^1].Action.Should().Be("uncordoned", "the first run handed the duty to uncordon to the run still holding");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before).Should().BeEmpty();
    }

    [Fact]
    public async Task Taint_AddsOnlyOurTaint_AndRemovesOnlyIt_EvenWhenOtherTaintsChangedMeanwhile()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await UpdateNodeAsync(cluster.Client, "node-1", n => n.Spec.Taints = [new V1Taint { Key = "team", Value = "a", Effect = "PreferNoSchedule" }]);

        var run = Experiment.On(Nodes.Named("node-1")).Taint(o => { o.Key = "chaos"; o.Value = "on"; o.Effect = TaintEffect.NoExecute; })
            .For(TimeSpan.FromMilliseconds(500))
            .WithSafety(s => s.MinHealthyRemaining = 1)
            .RunAsync(cluster.Client);
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ReadNodeAsync("node-1")).Spec.Taints.Any(t => t.Key == "chaos"), "our taint is on node-1");

        // Someone else changes the other taint and adds one while ours holds.
        await UpdateNodeAsync(cluster.Client, "node-1", n =>
        {
            n.Spec.Taints.Single(t => t.Key == "team").Value = "b";
            n.Spec.Taints.Add(new V1Taint { Key = "maintenance", Effect = "NoSchedule" });
        });
        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        var node = await cluster.Client.CoreV1.ReadNodeAsync("node-1");
        node.Spec.Taints.Select(t => $"{t.Key}={t.Value}:{t.Effect}").Should().BeEquivalentTo("team=b:PreferNoSchedule", "maintenance=:NoSchedule");
        node.Metadata.Annotations?.Keys.Should().NotContain(k => k.StartsWith("chaos.testing/ledger", StringComparison.Ordinal));
        node.Metadata.Labels.Should().NotContainKey("chaos.testing/ledger");
        result.Affected.Where(a => a.Kind == "Node").Select(a => a.Action).Should().Equal("tainted chaos=on:NoExecute", "taint chaos=on:NoExecute removed");
        await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);
    }

    [Fact]
    public async Task Taint_RecoveredNodeIsIdenticalToBefore()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var result = await Experiment.On(Nodes.All()).WithSeed(5).Taint().For(Hold).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("NoSchedule leaves running pods alone and the node is restored");
    }

    [Fact]
    public async Task Taint_NoExecute_IsRefusedWhenItWouldEvictProtectedPods_ButNotPodsThatTolerateIt()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Emulator.ApplyYamlAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: dns
              namespace: kube-system
            spec:
              nodeName: node-2
              containers:
                - name: dns
                  image: example/dns:1.0
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: proxy
              namespace: kube-system
            spec:
              nodeName: node-3
              tolerations:
                - operator: Exists
              containers:
                - name: proxy
                  image: example/proxy:1.0
            """);
        cluster.Emulator.Audit.Clear();

        var refused = () => Experiment.On(Nodes.Named("node-2")).Taint(o => o.Effect = TaintEffect.NoExecute).RunAsync(cluster.Client);
        (await refused.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("Refusing to taint node node-2 with chaos.testing/taint:NoExecute: it would evict pods the safety guards protect: kube-system/dns (protected namespace).*Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();

        var tolerated = await Experiment.On(Nodes.Named("node-3")).Taint(o => o.Effect = TaintEffect.NoExecute).For(TimeSpan.FromMilliseconds(100)).RunAsync(cluster.Client);
        tolerated.Verdict.Should().Be(ExperimentVerdict.Passed, "the kube-system pod on node-3 tolerates every taint");
        await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);
    }

    [Fact]
    public async Task Taint_SameKeyAndEffectAlreadyOnTheNode_IsRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await UpdateNodeAsync(cluster.Client, "node-1", n => n.Spec.Taints = [new V1Taint { Key = "chaos.testing/taint", Effect = "NoSchedule" }]);
        cluster.Emulator.Audit.Clear();

        var run = () => Experiment.On(Nodes.Named("node-1")).Taint().RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Node node-1 already has the taint chaos.testing/taint:NoSchedule*Use another Taint.Key*Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Drain_CordonsAndEvictsThroughTheEvictionApi_ThenUncordons()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var onNode = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", fieldSelector: "spec.nodeName=node-3")).Items.Select(p => p.Metadata.Name).ToList();
        onNode.Should().NotBeEmpty();

        var result = await Experiment.On(Nodes.Named("node-3")).Drain()
            .For(Hold)
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(10)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        result.Affected.Select(a => $"{a.Kind} {a.Name}: {a.Action}").Should().Equal(
            new[] { "Node node-3: cordoned" }.Concat(onNode.Select(p => $"Pod {p}: evicted from node-3")).Append("Node node-3: uncordoned"));
        cluster.Emulator.Audit.Writes.Where(w => w.Resource == "pods" && w.Subresource == "eviction").Select(w => w.Name).Should().BeEquivalentTo(onNode);
        cluster.Emulator.Audit.Writes.Should().NotContain(w => w.Verb == "delete" && w.Resource == "pods", "a drain evicts, it never deletes");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before).Should().BeEmpty("the node is identical again; the evicted pods were replaced by their Deployment");
    }

    [Fact]
    public async Task Drain_PdbAllowingOneDisruptionOfThree_EvictsOneAtATimeAsReplacementsGetReady()
    {
        await using var cluster = await ShopCluster.StartAsync(extraYaml: Pdb(minAvailable: 2));
        await PutAllCartPodsOnAsync(cluster, "node-1");
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var result = await Experiment.On(Nodes.Named("node-1")).Drain()
            .For(Hold)
            .Verify(
                SteadyState.PodsReady(Pods.In("shop").WithLabel("app", "cart"), atLeast: 2).During(),
                SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(10)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState("never fewer than 2 Ready: the budget let one eviction through at a time");
        var evictions = cluster.Emulator.Audit.Entries.Where(e => e.Subresource == "eviction").ToList();
        evictions.Count(e => e.StatusCode == 201).Should().Be(3);
        evictions.Count(e => e.StatusCode == 429).Should().BePositive("the budget refused the second and third eviction until a replacement was Ready");
        result.Affected.Where(a => a.Kind == "Pod").Should().HaveCount(3).And.Contain(a => a.Action.Contains("refusal(s) by its disruption budget", StringComparison.Ordinal));
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before).Should().BeEmpty();
    }

    [Fact]
    public async Task Drain_PdbAllowingNoDisruption_FailsClearlyAtItsDeadline_AndUncordons()
    {
        await using var cluster = await ShopCluster.StartAsync(extraYaml: Pdb(minAvailable: 3));
        await PutAllCartPodsOnAsync(cluster, "node-1");
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var result = await Experiment.On(Nodes.Named("node-1")).Drain(o => o.Timeout = TimeSpan.FromSeconds(1)).For(Hold).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().Match("the fault could not be injected: the drain did not finish: pod shop/cart-* on node-1 could not be evicted within 1s (Drain.Timeout): refused * time(s) with 429, its PodDisruptionBudget allows no disruption (The disruption budget cart needs 3 healthy pods and has 3 currently)*Raise Drain.Timeout, or relax the budget*");
        result.Affected[^1].Should().Match<AffectedTarget>(a => a.Kind == "Node" && a.Action == "uncordoned");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("no pod could be evicted and the node is uncordoned");
    }

    [Fact]
    public async Task Drain_SkipsDaemonSetPodsAndPodsOfProtectedNamespaces_AndRefusesUnmanagedPods()
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
        await cluster.Emulator.ApplyYamlAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: dns
              namespace: kube-system
            spec:
              nodeName: node-2
              containers:
                - name: dns
                  image: example/dns:1.0
            """);

        var dry = await Experiment.On(Nodes.Named("node-2")).Drain().DryRun().RunAsync(cluster.Client);
        dry.Timeline.Should().Contain(t => t.Message.StartsWith("drain node-2: 1 pod(s) to evict, skipped ", StringComparison.Ordinal)
            && t.Message.Contains("kube-system/dns (protected namespace)", StringComparison.Ordinal)
            && t.Message.Contains("(DaemonSet)", StringComparison.Ordinal));

        await cluster.Emulator.ApplyYamlAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: handmade
              namespace: shop
            spec:
              nodeName: node-2
              containers:
                - name: handmade
                  image: example/handmade:1.0
            """);
        cluster.Emulator.Audit.Clear();
        var refused = () => Experiment.On(Nodes.Named("node-2")).Drain().RunAsync(cluster.Client);
        (await refused.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Node node-2 runs pods without a controller (shop/handmade)*Drain.EvictUnmanagedPods = true*Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task NodeFaults_NodeWithTheExclusionLabel_IsNeverPicked()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await UpdateNodeAsync(cluster.Client, "node-1", n => n.Metadata.Labels["chaos.testing/exclude"] = "true");
        cluster.Emulator.Audit.Clear();

        var named = () => Experiment.On(Nodes.Named("node-1")).Drain().RunAsync(cluster.Client);
        (await named.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("No node to drain: nodes named node-1 matched 1 node(s), and every one was filtered out: 1 excluded by label chaos.testing/exclude=true (node-1).*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();

        for (var seed = 0; seed < 20; seed++)
        {
            var dry = await Experiment.On(Nodes.All()).WithSeed(seed).Taint().DryRun().RunAsync(cluster.Client);
            dry.Affected.Should().ContainSingle().Which.Name.Should().NotBe("node-1");
        }

        var tooMany = () => Experiment.On(Nodes.All()).All().Cordon().RunAsync(cluster.Client);
        (await tooMany.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Refusing to cordon 2 of 2 eligible Ready nodes of the cluster (100%): Safety.MaxPercentage is 50*");
    }

    [Fact]
    public async Task Hosting_PicksOnlyNodesThatRunTheGivenPods()
    {
        await using var cluster = await ShopCluster.StartAsync(replicas: 1);
        var host = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart")).Items.Single().Spec.NodeName;

        for (var seed = 0; seed < 10; seed++)
        {
            var dry = await Experiment.On(Nodes.Hosting(Pods.In("shop").WithLabel("app", "cart"))).WithSeed(seed).Drain().DryRun().RunAsync(cluster.Client);
            dry.Description.Should().Be("drain one of nodes hosting pods in shop with labels app=cart");
            dry.Affected.Should().ContainSingle().Which.Should().Match<AffectedTarget>(a => a.Kind == "Node" && a.Name == host && a.Action == "would drain");
        }
    }

    private static string Pdb(int minAvailable) => $"""
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: cart
          namespace: shop
        spec:
          minAvailable: {minAvailable}
          selector:
            matchLabels:
              app: cart
        """;

    /// <summary>Recreates the cart pods while only <paramref name="node"/> is schedulable, then makes the others schedulable again.</summary>
    private static async Task PutAllCartPodsOnAsync(ShopCluster cluster, string node)
    {
        var others = new[] { "node-1", "node-2", "node-3" }.Where(n => n != node).ToList();
        foreach (var other in others)
        {
            await SetUnschedulableAsync(cluster.Client, other, true);
        }

        await cluster.Client.CoreV1.DeleteCollectionNamespacedPodAsync("shop", labelSelector: "app=cart", gracePeriodSeconds: 0);
        await Eventually.TrueAsync(async () =>
        {
            var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart")).Items;
            return pods.Count == 3 && pods.All(p => p.Spec.NodeName == node && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        }, $"three Ready cart pods on {node}");
        foreach (var other in others)
        {
            await SetUnschedulableAsync(cluster.Client, other, null);
        }

        await Eventually.TrueAsync(async () =>
        {
            var budget = await cluster.Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("cart", "shop");
            return budget.Status?.CurrentHealthy == 3;
        }, "the budget sees three healthy pods");
        cluster.Emulator.Audit.Clear();
    }

    private static Task SetUnschedulableAsync(IKubernetes client, string node, bool? value) =>
        UpdateNodeAsync(client, node, n => n.Spec.Unschedulable = value);

    private static async Task UpdateNodeAsync(IKubernetes client, string name, Action<V1Node> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var node = await client.CoreV1.ReadNodeAsync(name);
            node.Spec ??= new V1NodeSpec();
            node.Metadata.Labels ??= new Dictionary<string, string>();
            change(node);
            try
            {
                await client.CoreV1.ReplaceNodeAsync(node, name);
                return;
            }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 10)
            {
            }
        }
    }
}
