using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Engine;

/// <summary>The issue's acceptance scenarios, against the emulator through the real client.</summary>
public sealed class ExperimentAcceptanceTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    [Fact]
    public async Task Kill_OneOfThreeReplicas_PassesAffectsOnePodAndMeasuresRecovery()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Cart).One().Kill()
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(10)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        result.Should().HaveAffected(1);
        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.TimeToRecovery.Should().NotBeNull().And.BeGreaterThan(TimeSpan.Zero, "the kill broke the steady state until the replacement was Ready");
        result.Probes.Single().Samples.Should().Contain(s => !s.Held, "the probe saw the Deployment short of a pod");
        cluster.Emulator.Audit.Writes.Count(w => w.Verb == "delete" && w.Resource == "pods").Should().Be(1);
        await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);
    }

    [Fact]
    public async Task Kill_DeploymentScaledToZeroAfterTheKill_FailsNamingProbeDeadlineAndObservedState()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var run = Experiment.On(Cart).WithSeed(7).Kill()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(1)))
            .RunAsync(cluster.Client);
        await WaitForAsync(() => cluster.Emulator.Audit.Writes.Any(w => w.Verb == "delete"));
        await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"spec\":{\"replicas\":0}}", V1Patch.PatchType.MergePatch), "cart", "shop");

        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().StartWith("probe \"deployment shop/cart available\" did not recover within 1s after the fault ended (deadline ")
            .And.EndWith("): last observed 0 of 3 pods ready (0 live)");
        var failure = () => result.Should().HaveHeldSteadyState();
        failure.Should().Throw<Exception>().WithMessage($"Expected experiment {result.ExperimentId} (kill one of pods in shop with labels app=cart, seed 7) to have held its steady state, but it was Failed: probe \"deployment shop/cart available\" did not recover within 1s*0 of 3 pods ready*");
    }

    [Fact]
    public async Task Run_HypothesisFalseBeforeInjection_AbortsAndInjectsNothing()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Cart).Kill()
            .Verify(SteadyState.PodsReady(Cart, atLeast: 4).Before())
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.FailureReason.Should().Be("the steady state did not hold before injection: probe \"at least 4 ready of pods in shop with labels app=cart\" observed 3 of 3 pods ready (need 4); nothing was injected");
        result.Affected.Should().BeEmpty();
        result.Probes.Single().Held.Should().BeFalse();
        result.Probes.Single().Failure.Should().Be("did not hold before injection: observed 3 of 3 pods ready (need 4)");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task PodsReady_HonoursNamesOfItsTarget()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Cart).Kill()
            .Verify(SteadyState.PodsReady(Cart.Named("no-such-pod"), atLeast: 1).Before())
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.FailureReason.Should().Contain("observed 0 of 0 pods ready (need 1)");
    }

    [Fact]
    public async Task Restart_TwoPodsOfOneOwner_WaitForTwoDistinctReplacements()
    {
        await using var cluster = await ShopCluster.StartAsync(replicas: 4);

        var result = await Experiment.On(Cart).Count(2).Restart().WithoutEvents().RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected.Where(a => a.Action.StartsWith("replacement of", StringComparison.Ordinal)).Select(a => a.Name)
            .Should().HaveCount(2).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Probe_WatchForbidden_FailsLoudlyAfterRecovering()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var deny = cluster.Emulator.Authorization.Deny("watch", "pods", "shop");

        var run = () => Experiment.On(Cart).Kill().For(TimeSpan.FromMilliseconds(100)).Verify(SteadyState.DeploymentAvailable("shop", "cart")).RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("The Kubernetes API refused to watch pods in namespace \"shop\" (403 Forbidden), which this probe needs: grant the 'watch' verb on 'pods'.");
        cluster.Emulator.Audit.Entries.Count(e => e.Verb == "watch").Should().BeLessThan(5, "a denied watch is not retried in a loop");
    }

    [Fact]
    public async Task Run_CancelledDuringHold_StillRecoversAndReportsAborted()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var cancel = new CancellationTokenSource();
        var run = Experiment.On(Cart).Restart().For(TimeSpan.FromMinutes(5))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(cluster.Client, cancel.Token);
        await WaitForAsync(() => cluster.Emulator.Audit.Writes.Any(w => w.Verb == "delete"));
        await WaitForAsync(() => cluster.Emulator.Audit.Writes.Any(w => w.Verb == "create" && w.Resource == "events"));
        await Task.Delay(200);

        await cancel.CancelAsync();
        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.FailureReason.Should().Be("cancelled during hold");
        result.Timeline.Should().Contain(t => t.Phase == "recover" && t.Message == "restart recovered", "recovery runs even when the test is cancelled");
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("shop");
        events.Items.Should().Contain(e => e.Reason == "ChaosRecovered");
    }

    [Fact]
    public async Task DryRun_PlansAndGuards_WithZeroWritesAndListsWhatWouldBeAffected()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Cart).Count(1).Kill().DryRun()
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(cluster.Client);

        result.DryRun.Should().BeTrue();
        result.Affected.Should().ContainSingle().Which.Action.Should().Be("would kill");
        cluster.Emulator.Audit.Entries.Should().NotBeEmpty("the plan reads the cluster");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_ProtectedNamespace_IsRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var run = () => Experiment.On(Pods.In("kube-system")).Kill().RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("Refusing to touch namespace \"kube-system\": it is protected (Safety.ProtectedNamespaces: kube-node-lease, kube-public, kube-system). Target your own workload's namespace. Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Theory]
    [InlineData("prod-shop", null, "its name is \"prod-shop\"")]
    [InlineData("payments", "environment=production", "it is labelled environment=production")]
    public async Task Run_ProductionLookingNamespace_IsRefusedUnlessAllowed(string ns, string? label, string why)
    {
        var labels = label is null ? string.Empty : $"\n  labels:\n    {label.Replace("=", ": ", StringComparison.Ordinal)}";
        await using var cluster = await ShopCluster.StartAsync(extraYaml: $"""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: {ns}{labels}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              namespace: {ns}
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: api
              template:
                metadata:
                  labels:
                    app: api
                spec:
                  containers:
                    - name: api
                      image: example/api:1.0
            """);
        await cluster.WaitForReadyPodsAsync(ns, "app=api", 2);
        cluster.Emulator.Audit.Clear();

        var refused = () => Experiment.On(Pods.In(ns)).Kill().RunAsync(cluster.Client);
        (await refused.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage($"Refusing to touch namespace \"{ns}\": {why}, so it looks like production. If this is intended, call .AllowProduction() on the experiment. Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();

        var allowed = await Experiment.On(Pods.In(ns)).Kill().AllowProduction().WithoutEvents().RunAsync(cluster.Client);
        allowed.Verdict.Should().Be(ExperimentVerdict.Passed);
    }

    [Fact]
    public async Task Run_ExcludedPods_AreNeverPicked_AndAllExcludedIsAClearRefusal()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        foreach (var pod in pods.Take(2))
        {
            await cluster.Client.CoreV1.PatchNamespacedPodAsync(
                new V1Patch("{\"metadata\":{\"labels\":{\"chaos.testing/exclude\":\"true\"}}}", V1Patch.PatchType.MergePatch), pod.Metadata.Name, "shop");
        }

        var result = await Experiment.On(Cart).All().Kill().WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0)).RunAsync(cluster.Client);

        result.Affected.Where(a => a.Action.StartsWith("killed", StringComparison.Ordinal)).Select(a => a.Name)
            .Should().Equal(pods[2].Metadata.Name);

        cluster.Emulator.Audit.Clear();
        var none = () => Experiment.On(Cart.Named(pods[0].Metadata.Name, pods[1].Metadata.Name)).Kill().RunAsync(cluster.Client);
        (await none.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage($"No pod to kill: pods in shop with labels app=cart named {pods[0].Metadata.Name}, {pods[1].Metadata.Name} matched 2 pod(s), and every one was filtered out: 2 excluded by label chaos.testing/exclude=true ({pods[0].Metadata.Name}, {pods[1].Metadata.Name}). *Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_MorePodsThanMaxPercentage_IsRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var run = () => Experiment.On(Cart).All().Kill().RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("Refusing to kill 3 of 3 eligible pods (100%): Safety.MaxPercentage is 50. Pick fewer with One()/Count()/Percent(), or raise the limit with .WithSafety(s => s.MaxPercentage = 100). Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_Forbidden_FailsAtOnceWithAClearMessageAndNoRetry()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var deny = cluster.Emulator.Authorization.Deny("delete", "pods", "shop");

        var run = () => Experiment.On(Cart).Kill().RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("The Kubernetes API refused to delete pods in namespace \"shop\" (403 Forbidden)*Grant the identity of this kubeconfig the 'delete' verb on 'pods'*Nothing was retried.");
        cluster.Emulator.Audit.Entries.Count(e => e.Verb == "delete").Should().Be(1);
    }

    [Fact]
    public async Task Restart_WaitsForTheOwnersReplacementToBeReady()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Cart).Restart().WithoutEvents()
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        result.Affected.Should().Contain(a => a.Action.StartsWith("restarted", StringComparison.Ordinal))
            .And.Contain(a => a.Action.StartsWith("replacement of", StringComparison.Ordinal));
        cluster.Emulator.Audit.Entries.Should().Contain(e => e.Verb == "delete" && !e.Query.Contains("gracePeriodSeconds=0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_WhenNoReplacementCanBecomeReady_FailsClearly()
    {
        await using var cluster = await ShopCluster.StartAsync();
        foreach (var node in new[] { "node-1", "node-2", "node-3" })
        {
            await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"unschedulable\":true}}", V1Patch.PatchType.MergePatch), node);
        }

        var result = await Experiment.On(Cart).Restart(o => o.ReplacementTimeout = TimeSpan.FromMilliseconds(500)).WithoutEvents().RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().StartWith("the fault could not be injected: The ReplicaSet shop/cart-").And.Contain("did not bring a Ready replacement for pod").And.Contain("within 0.5s (Restart.ReplacementTimeout)");
    }

    [Fact]
    public async Task Restart_PodWithoutAController_IsRefusedBeforeAnyDelete()
    {
        await using var cluster = await ShopCluster.StartAsync(extraYaml: """
            apiVersion: v1
            kind: Pod
            metadata:
              name: lonely
              namespace: shop
              labels:
                app: lonely
            spec:
              containers:
                - name: app
                  image: example/app:1.0
            """);
        await cluster.WaitForReadyPodsAsync("shop", "app=lonely", 1);
        cluster.Emulator.Audit.Clear();

        var run = () => Experiment.On(Pods.In("shop").WithLabel("app", "lonely")).Restart().WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0)).RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Pod shop/lonely has no controller*use Kill() if deleting it is what you want. Nothing was changed.");
        var dryRun = () => Experiment.On(Pods.In("shop").WithLabel("app", "lonely")).Restart().DryRun().WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0)).RunAsync(cluster.Client);
        await dryRun.Should().ThrowAsync<ChaosRefusedException>("a dry run refuses what the real run would refuse");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Kill_WritesEventsOnInjectionAndRecovery()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Cart).Kill().RunAsync(cluster.Client);

        var victim = result.Affected.Single().Name;
        var events = (await cluster.Client.CoreV1.ListNamespacedEventAsync("shop", fieldSelector: $"involvedObject.name={victim}")).Items
            .Where(e => e.Source?.Component == "chaos-testing").ToList(); // the emulator's kubelet and scheduler write theirs too
        events.Select(e => e.Reason).Should().BeEquivalentTo(["ChaosInjected", "ChaosRecovered"]);
        events.Should().OnlyContain(e => e.Message.Contains(result.ExperimentId));
    }

    [Fact]
    public async Task Kill_WithTransientApiFaultsOnWrites_RetriesAndPasses()
    {
        await using var cluster = await ShopCluster.StartAsync();
        cluster.Emulator.ApiFaults.Add(new ApiFault { StatusCode = 503, Verbs = ApiFault.WriteVerbs, Times = 2 });
        cluster.Emulator.ApiFaults.Add(new ApiFault { StatusCode = 429, Verbs = ["list"], Resource = "pods", Times = 1 });

        var result = await Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "cart")).RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        cluster.Emulator.Audit.Entries.Count(e => e.InjectedFault).Should().Be(3);
    }

    [Fact]
    public async Task During_WithZeroTolerance_FailsWhenAPodIsMissingDuringTheHold_AndToleranceAllowsIt()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var strict = await Experiment.On(Cart).Kill().For(TimeSpan.FromMilliseconds(500))
            .Verify(SteadyState.PodsReady(Cart, atLeast: 3).During())
            .RunAsync(cluster.Client);
        await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3);
        var tolerant = await Experiment.On(Cart).Kill().For(TimeSpan.FromMilliseconds(500))
            .Verify(SteadyState.PodsReady(Cart, atLeast: 3).During(tolerance: 0.9))
            .RunAsync(cluster.Client);

        strict.Verdict.Should().Be(ExperimentVerdict.Failed);
        strict.FailureReason.Should().Contain("was broken for").And.Contain("of the hold (tolerance 0%)");
        tolerant.Should().HaveHeldSteadyState();
    }

    [Fact]
    public async Task HttpAndCustomProbes_PollAndHold()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var checks = 0;

        var result = await Experiment.On(Cart).Kill().For(TimeSpan.FromMilliseconds(300))
            .Verify(
                SteadyState.Http(new Uri(cluster.Emulator.BaseAddress, "healthz").ToString(), o => o.Interval = TimeSpan.FromMilliseconds(50)),
                SteadyState.Custom("custom check", _ => Task.FromResult(Interlocked.Increment(ref checks) > 0), TimeSpan.FromMilliseconds(50)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        result.Probes.Should().HaveCount(2).And.OnlyContain(p => p.Held);
        checks.Should().BeGreaterThan(1);
    }

    [Fact]
    public async Task HttpProbe_WrongStatusBeforeInjection_Aborts()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Cart).Kill()
            .Verify(SteadyState.Http(new Uri(cluster.Emulator.BaseAddress, "no-such-path").ToString()).Before())
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.FailureReason.Should().Contain("observed 404 in");
    }

    [Fact]
    public async Task StatefulSetReady_KillOfAnOrdinal_RecoversWithTheSameName()
    {
        await using var cluster = await ShopCluster.StartAsync(extraYaml: """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: db
              namespace: shop
            spec:
              replicas: 3
              serviceName: db
              podManagementPolicy: Parallel
              selector:
                matchLabels:
                  app: db
              template:
                metadata:
                  labels:
                    app: db
                spec:
                  containers:
                    - name: db
                      image: example/db:1.0
            """);
        await cluster.WaitForReadyPodsAsync("shop", "app=db", 3);

        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "db")).WithSeed(3).Kill()
            .Verify(SteadyState.StatefulSetReady("shop", "db").BeforeAndAfter(TimeSpan.FromSeconds(10)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        var killed = result.Affected.Single().Name;
        (await cluster.WaitForReadyPodsAsync("shop", "app=db", 3)).Select(p => p.Metadata.Name).Should().Contain(killed);
    }

    [Fact]
    public async Task WithSeed_SameSeed_PicksTheSamePodEveryTime()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var first = await Experiment.On(Cart).WithSeed(42).Kill().DryRun().RunAsync(cluster.Client);
        var second = await Experiment.On(Cart).WithSeed(42).Kill().DryRun().RunAsync(cluster.Client);

        first.Seed.Should().Be(42);
        second.Affected.Single().Name.Should().Be(first.Affected.Single().Name);
    }

    [Fact]
    public async Task Run_ProbeOnAMissingDeployment_IsRefusedBeforeInjection()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var run = () => Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "basket")).RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("The steady-state probe \"deployment shop/basket available\" could not start: *Nothing was injected.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Kill_WhenTheDeleteKeepsFailing_FailsAndStillRunsRecovery()
    {
        await using var cluster = await ShopCluster.StartAsync();
        cluster.Emulator.ApiFaults.Add(new ApiFault { StatusCode = 500, Verbs = ["delete"], Resource = "pods" });

        var result = await Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "cart")).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().StartWith("the fault could not be injected: ");
        result.Timeline.Should().Contain(t => t.Phase == "recover" && t.Message == "kill recovered", "recovery runs on failure too");
        result.Affected.Should().BeEmpty();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }
}
