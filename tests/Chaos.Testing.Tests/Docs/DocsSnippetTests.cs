using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Docs;

/// <summary>
/// Every snippet of docs/getting-started.md, docs/targets.md, docs/steady-state.md, docs/safety.md and docs/faults/*.md,
/// run against the emulator. The code between the "snippet" comments is the code on the page (setup lines such as
/// <c>cluster.Emulator.KubeconfigPath</c> differ only because the fixture wraps the emulator). Change both together.
/// </summary>
public sealed class DocsSnippetTests(ITestOutputHelper xunitOutput)
{
    private readonly RecordingOutput output = new(xunitOutput);

    private const string ShopYaml = ShopCluster.Shop;

    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    // ---------------------------------------------------------------- docs/getting-started.md

    // "Your first experiment": the page's whole test, self-contained (its own emulator and wait helper).
    [Fact]
    public async Task GettingStarted_FirstExperiment_KillsOneCartPodAndTheDeploymentRecovers()
    {
        // snippet
        await using var cluster = await KubernetesEmulator.StartAsync();
        await cluster.ApplyYamlAsync(ShopYaml);
        await WaitForReadyPodsAsync(cluster.Client, "shop", "app=cart", 3);

        var result = await Experiment
            .On(Pods.In("shop").WithLabel("app", "cart"))   // the pods to pick from
            .One()                                          // how many: one (the default)
            .Kill()                                         // the fault: delete it, grace period 0
            .For(TimeSpan.FromMilliseconds(200))            // hold the fault this long
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        result.Should().HaveAffected(1);
        // end snippet

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected.Should().ContainSingle().Which.Action.Should().Be("killed (grace 0s)");
        result.TimeToRecovery.Should().BePositive("the Deployment was one pod short until the replacement was Ready");
        cluster.Audit.Writes.Count(w => w.Verb == "delete" && w.Resource == "pods").Should().Be(1);
    }

    // "Reading the result"
    [Fact]
    public async Task GettingStarted_ReadingTheResult_AssertionsEnsureSteadyStateAndReport()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var result = await Experiment.On(Cart).Kill()
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(cluster.Client);

        // snippet
        output.WriteLine(result.ToReport());           // verdict, seed, affected pods, probes, timeline

        result.Should().HaveHeldSteadyState()           // Passed: injected, recovered, every probe held
            .And.HaveAffected(1)                        // distinct pods touched (replacements not counted)
            .And.HaveRecoveredWithin(TimeSpan.FromSeconds(10));

        result.EnsureSteadyState();                     // the same check without FluentAssertions
        // end snippet

        var report = result.ToReport();
        report.Should().StartWith($"Experiment {result.ExperimentId}: kill one of pods in shop with labels app=cart")
            .And.Contain($"Verdict: Passed   seed: {result.Seed}")
            .And.Contain("Probe \"deployment shop/cart available\" (before, recovers within 60s): held, ");
        // On a loaded machine the probe may not sample during the short dip: then it never broke, and says so.
        report.Should().Match(r => r.Contains("held, recovered in ", StringComparison.Ordinal) || r.Contains("held, never broke", StringComparison.Ordinal));
        result.EnsureSteadyState().Should().BeSameAs(result);
    }

    // "Verdicts": an Aborted run and what EnsureSteadyState throws.
    [Fact]
    public async Task GettingStarted_Verdicts_AbortedWhenTheHypothesisIsFalseBeforeInjection()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var cart = Pods.In("shop").WithLabel("app", "cart");
        var result = await Experiment.On(cart).Kill()
            .Verify(SteadyState.PodsReady(cart, atLeast: 4).Before())   // only 3 replicas: false before injection
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.Affected.Should().BeEmpty();                               // nothing was injected
        var failure = Assert.Throws<ChaosExperimentFailedException>(() => result.EnsureSteadyState());
        failure.Message.Should().Contain("did not hold before injection");
        // end snippet

        failure.Result.Should().BeSameAs(result);
        result.FailureReason.Should().Be("the steady state did not hold before injection: probe \"at least 4 ready of pods in shop with labels app=cart\" observed 3 of 3 pods ready (need 4); nothing was injected");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    // "Dependency injection"
    [Fact]
    public async Task GettingStarted_DependencyInjection_EngineUsesTheRegisteredKubeconfigAndDefaults()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var services = new ServiceCollection();
        services.AddChaosTesting(options =>
        {
            options.KubeconfigPath = cluster.Emulator.KubeconfigPath;   // default: CHAOS_KUBECONFIG, then the client's default
            options.Safety.ProtectedNamespaces.Add("payments");         // applies to every experiment run by the engine
            options.EmitEvents = false;                                 // no Kubernetes Events on affected pods
        });
        await using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<IChaosEngine>();
        var result = await engine.RunAsync(
            Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill()
                .For(TimeSpan.FromMilliseconds(200))
                .Verify(SteadyState.DeploymentAvailable("shop", "cart")));

        result.Should().HaveHeldSteadyState();
        // end snippet

        result.Should().HaveAffected(1);
        cluster.Emulator.Audit.Writes.Should().NotContain(w => w.Resource == "events", "EmitEvents = false");
        var refused = () => engine.RunAsync(Experiment.On(Pods.In("payments")).Kill());
        (await refused.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Refusing to touch namespace \"payments\": it is protected*");
    }

    // "Dependency injection": a registered IKubernetes wins over the kubeconfig.
    [Fact]
    public async Task GettingStarted_DependencyInjection_RegisteredClientWins()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var services = new ServiceCollection();
        services.AddSingleton<IKubernetes>(cluster.Client);   // e.g. the emulator's client
        services.AddChaosTesting();
        // end snippet
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IKubernetes>().Should().BeSameAs(cluster.Client);
        var result = await provider.GetRequiredService<IChaosEngine>().RunAsync(Experiment.On(Cart).Kill().DryRun());
        result.Should().HaveAffected(1);
    }

    // "Dependency injection": an experiment's WithSafety/AllowProduction apply on top of the registered guards.
    [Fact]
    public async Task GettingStarted_DependencyInjection_ExperimentSafetyChangesApplyOnTopOfTheRegisteredGuards()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var services = new ServiceCollection();
        services.AddSingleton<IKubernetes>(cluster.Client);
        services.AddChaosTesting(options =>
        {
            options.Safety.ProtectedNamespaces.Add("shop");
            options.Safety.MinHealthyRemaining = 0;
        });
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<IChaosEngine>();

        var stillProtected = () => engine.RunAsync(Experiment.On(Cart).Kill().AllowProduction().WithSafety(s => s.MaxPercentage = 100).DryRun());
        (await stillProtected.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Refusing to touch namespace \"shop\": it is protected*");

        var all = await engine.RunAsync(Experiment.On(Cart).All().Kill().WithSafety(s => { s.ProtectedNamespaces.Remove("shop"); s.MaxPercentage = 100; }).DryRun());
        all.Should().HaveAffected(3, "MinHealthyRemaining = 0 comes from the registered options, MaxPercentage from the experiment");
    }

    // "Logging"
    [Fact]
    public async Task GettingStarted_Logging_WithLoggerWritesEveryStep()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill()
            .For(TimeSpan.FromMilliseconds(200))
            .WithLogger(new TestOutputLogger(output))
            .RunAsync(cluster.Client);
        // end snippet

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        output.Lines.Should().Contain("[Information] inject: kill 1 pod(s)")
            .And.Contain("[Information] recover: kill recovered")
            .And.Contain(l => l.StartsWith("[Information] Pod shop/cart-", StringComparison.Ordinal) && l.EndsWith(": killed (grace 0s)", StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------- docs/targets.md

    // "Refining a target"
    [Fact]
    public async Task Targets_Refinements_RenderAsSelectorsAndPickFromTheMatches()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var cart = Pods.In("shop").WithLabel("app", "cart");            // app=cart
        var web = Pods.In("shop", "checkout")                            // several namespaces
            .WithLabelIn("tier", "api", "web")                           // tier in (api,web)
            .WithLabelNotIn("track", "canary")                           // track notin (canary): also pods without the label
            .WithLabelPresent("team")                                    // team (any value)
            .WithoutLabel("legacy")                                      // !legacy
            .WithField("spec.nodeName=node-1")                           // a field selector, evaluated by the API server
            .Excluding("role", "leader");                                // never pick role=leader
        var two = cart.Named("cart-7d9f-abcde", "cart-7d9f-fghij");      // only these pods
        // end snippet

        cart.ToString().Should().Be("pods in shop with labels app=cart");
        web.ToString().Should().Be("pods in shop, checkout with labels tier in (api,web),track notin (canary),team,!legacy with fields spec.nodeName=node-1 excluding role=leader");
        two.ToString().Should().Be("pods in shop with labels app=cart named cart-7d9f-abcde, cart-7d9f-fghij");

        var running = await Experiment.On(Pods.In("shop").WithLabelIn("app", "cart", "web").WithoutLabel("legacy").WithField("status.phase=Running"))
            .Kill().DryRun().RunAsync(cluster.Client);
        running.Should().HaveAffected(1);
        running.Affected.Single().Name.Should().StartWith("cart-");
    }

    // "How many: selection modes"
    [Fact]
    public async Task Targets_SelectionModes_PercentRoundsDownButNeverBelowOne()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;

        // snippet
        var half = await Experiment.On(cart).Percent(50).Kill().DryRun().RunAsync(cluster.Client);
        half.Affected.Should().ContainSingle();                 // 50 % of 3 = 1.5, rounded down to 1

        var tiny = await Experiment.On(cart).Percent(1).Kill().DryRun().RunAsync(cluster.Client);
        tiny.Affected.Should().ContainSingle();                 // 1 % of 3 = 0.03, but at least one

        var everything = await Experiment.On(cart).All().Kill()
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; })
            .DryRun()
            .RunAsync(cluster.Client);
        everything.Affected.Should().HaveCount(3);
        // end snippet

        var two = await Experiment.On(cart).Count(2).Kill().WithSafety(s => s.MaxPercentage = 67).DryRun().RunAsync(cluster.Client);
        two.Should().HaveAffected(2);
        var more = await Experiment.On(cart).Count(5).Kill().WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0)).DryRun().RunAsync(cluster.Client);
        more.Should().HaveAffected(3, "Count picks all of them when fewer match");
        everything.Description.Should().Be("kill all of pods in shop with labels app=cart");
        half.Description.Should().Be("kill 50% (rounded down, at least one) of pods in shop with labels app=cart");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    // "Seeds and replay"
    [Fact]
    public async Task Targets_Seeds_ReplayingASeedPicksTheSamePods()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;

        // snippet
        var first = await Experiment.On(cart).Kill().DryRun().RunAsync(cluster.Client);
        output.WriteLine($"seed {first.Seed}");                 // also in ToReport() and in every failure message

        var replay = await Experiment.On(cart).WithSeed(first.Seed).Kill().DryRun().RunAsync(cluster.Client);
        replay.Affected.Select(a => a.Name).Should().Equal(first.Affected.Select(a => a.Name));
        // end snippet

        replay.Seed.Should().Be(first.Seed);
        var pinned = await Experiment.On(cart).WithSeed(42).Count(1).Kill().DryRun().RunAsync(cluster.Client);
        var again = await Experiment.On(cart).Count(1).WithSeed(42).Kill().DryRun().RunAsync(cluster.Client);
        again.Affected.Single().Name.Should().Be(pinned.Affected.Single().Name, "the seed survives a later One()/Count()/Percent()/All()");
    }

    // "What is never picked"
    [Fact]
    public async Task Targets_NeverPicked_ExclusionLabelAndExcludingAreFilteredOut()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var names = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        await LabelPodAsync(cluster.Client, names[0], "chaos.testing/exclude", "true");
        await LabelPodAsync(cluster.Client, names[1], "role", "leader");
        var cart = Cart;

        // snippet
        var result = await Experiment.On(cart.Excluding("role", "leader")).All().Kill()
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; })
            .DryRun()
            .RunAsync(cluster.Client);
        // end snippet

        output.WriteLine(result.ToReport());
        result.Affected.Select(a => a.Name).Should().Equal(names[2]);
        result.Timeline.Should().Contain(t => t.Phase == "plan" && t.Message.StartsWith(
            $"3 matched, 1 eligible (1 excluded by label chaos.testing/exclude=true ({names[0]}); 1 excluded by role=leader ({names[1]}) filtered out)", StringComparison.Ordinal));
    }

    // "Empty selection"
    [Fact]
    public async Task Targets_EmptySelection_IsARefusalNamingTheTarget()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var run = () => Experiment.On(Pods.In("shop").WithLabel("app", "basket")).Kill().RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("No pod to kill: pods in shop with labels app=basket matched 0 pod(s). *Nothing was changed.");
        // end snippet

        (await run.Should().ThrowAsync<ChaosRefusedException>()).Which.Message.Should().Be(
            "No pod to kill: pods in shop with labels app=basket matched 0 pod(s). Check the namespace and labels, or wait until the workload is Running. Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    // ---------------------------------------------------------------- docs/steady-state.md

    // "The probes"
    [Fact]
    public async Task SteadyState_Probes_AllKindsHoldThroughAKill()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var health = new Uri(cluster.Emulator.BaseAddress, "healthz").ToString();

        // snippet
        var cart = Pods.In("shop").WithLabel("app", "cart");
        var result = await Experiment.On(cart).Kill()
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(
                SteadyState.PodsReady(cart, atLeast: 2),
                SteadyState.PodsReadyPercent(cart, 60),
                SteadyState.DeploymentAvailable("shop", "cart"),
                SteadyState.Http(health, o =>
                {
                    o.MaxLatency = TimeSpan.FromSeconds(1);
                    o.MinSuccessRate = 0.95;
                    o.Interval = TimeSpan.FromMilliseconds(100);
                }),
                SteadyState.Custom(
                    "cart has at least 2 pods",
                    async ct => (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart", cancellationToken: ct)).Items.Count >= 2,
                    TimeSpan.FromMilliseconds(100)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState();
        // end snippet

        result.Probes.Select(p => p.Name).Should().Equal(
            "at least 2 ready of pods in shop with labels app=cart",
            "at least 60% ready of pods in shop with labels app=cart",
            "deployment shop/cart available",
            $"HTTP GET {health}",
            "cart has at least 2 pods");
        result.Probes.Should().OnlyContain(p => p.Held && p.Mode == "before, recovers within 60s");
        result.Probes.Single(p => p.Name.StartsWith("HTTP", StringComparison.Ordinal)).Samples[0].Observed.Should().StartWith("200 in ");
        result.Probes.Single(p => p.Name.StartsWith("cart", StringComparison.Ordinal)).Samples[0].Observed.Should().Be("true");
    }

    // "StatefulSetReady"
    [Fact]
    public async Task SteadyState_StatefulSetReady_RestartedOrdinalComesBackWithTheSameName()
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

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "db")).Restart()
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.StatefulSetReady("shop", "db").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        // end snippet

        var restarted = result.Affected[0].Name;
        result.Affected.Should().Contain(a => a.Name == restarted && a.Action == $"replacement of {restarted} Ready", "a StatefulSet pod comes back with the same name");
        result.Probes.Single().Name.Should().Be("statefulset shop/db ready");
    }

    // "Workload probes": a probe that cannot start refuses the experiment.
    [Fact]
    public async Task SteadyState_ProbeThatCannotStart_RefusesBeforeInjection()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;

        // snippet
        var run = () => Experiment.On(cart).Kill()
            .Verify(SteadyState.DeploymentAvailable("shop", "carts"))   // a typo: there is no Deployment "carts"
            .RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("The steady-state probe \"deployment shop/carts available\" could not start: *Nothing was injected.");
        // end snippet

        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    // "When a probe is checked": the modes and how they read.
    [Fact]
    public void SteadyState_Modes_DescribeWhenTheProbeIsChecked()
    {
        // snippet
        var probe = SteadyState.DeploymentAvailable("shop", "cart");
        var byDefault = probe;                                               // before + recovers within 60 s
        var before = probe.Before();                                         // before only: abort when broken
        var during = probe.During();                                         // during the hold, never broken
        var tolerant = probe.During(tolerance: 0.25);                        // broken for at most 25 % of the hold
        var after = probe.RecoversWithin(TimeSpan.FromSeconds(30));          // back within 30 s after recovery
        var both = probe.BeforeAndAfter(TimeSpan.FromSeconds(30));           // before + after
        var all = probe.Before().During(0.25).RecoversWithin(TimeSpan.FromSeconds(30));
        // end snippet

        byDefault.ToString().Should().Be("deployment shop/cart available (before, recovers within 60s)");
        before.ToString().Should().Be("deployment shop/cart available (before)");
        during.ToString().Should().Be("deployment shop/cart available (during)");
        tolerant.ToString().Should().Be("deployment shop/cart available (during (tolerance 25%))");
        after.ToString().Should().Be("deployment shop/cart available (recovers within 30s)");
        both.ToString().Should().Be("deployment shop/cart available (before, recovers within 30s)");
        all.ToString().Should().Be("deployment shop/cart available (before, during (tolerance 25%), recovers within 30s)");
    }

    // "Combining modes" and "Time to recovery"
    [Fact]
    public async Task SteadyState_CombinedModes_MeasureTimeToRecovery()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;

        // snippet
        var result = await Experiment.On(cart).Kill()
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(
                SteadyState.PodsReady(cart, atLeast: 2).Before().During(),               // never fewer than 2 Ready
                SteadyState.DeploymentAvailable("shop", "cart").RecoversWithin(TimeSpan.FromSeconds(10)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState().And.HaveRecoveredWithin(TimeSpan.FromSeconds(10));
        result.Probes[0].TimeToRecovery.Should().Be(TimeSpan.Zero);                  // never broke
        result.Probes[1].TimeToRecovery.Should().BePositive();                       // broke, then came back
        // end snippet

        result.TimeToRecovery.Should().Be(result.Probes[1].TimeToRecovery, "the result's time to recovery is the slowest probe's");
        result.Probes[1].Samples.Should().Contain(s => !s.Held && s.Observed.StartsWith("2 of 3 pods ready", StringComparison.Ordinal));
    }

    // "Failure messages": During with zero tolerance.
    [Fact]
    public async Task SteadyState_DuringWithZeroTolerance_FailsWhenBrokenAtAll()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;

        // snippet
        var result = await Experiment.On(cart).Kill()
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.PodsReady(cart, atLeast: 3).During())
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().Contain("was broken for").And.Contain("of the hold (tolerance 0%)");
        // end snippet

        result.FailureReason.Should().StartWith("probe \"at least 3 ready of pods in shop with labels app=cart\" was broken for ")
            .And.Contain("; last observed ");
        var assertion = () => result.Should().HaveHeldSteadyState();
        assertion.Should().Throw<Exception>().WithMessage($"Expected experiment {result.ExperimentId} (kill one of pods in shop with labels app=cart, seed {result.Seed}) to have held its steady state, but it was Failed: probe*(last broken sample at *).");
    }

    // "Failure messages": a probe that never recovers.
    [Fact]
    public async Task SteadyState_RecoversWithin_FailsAfterTheDeadlineWithTheLastObservation()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;

        // snippet
        var original = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart"))
            .Items.Select(p => p.Metadata.Name).ToHashSet();

        var result = await Experiment.On(cart).Kill()
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.Custom(
                    "the original cart pods all run",                           // a kill never brings a pod back
                    async ct => (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart", cancellationToken: ct))
                        .Items.Count(p => original.Contains(p.Metadata.Name)) == 3,
                    TimeSpan.FromMilliseconds(50))
                .RecoversWithin(TimeSpan.FromMilliseconds(500)))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().StartWith("probe \"the original cart pods all run\" did not recover within 0.5s after the fault ended");
        result.TimeToRecovery.Should().BeNull();
        // end snippet

        result.FailureReason.Should().EndWith("): last observed false");
        result.Probes.Single().TimeToRecovery.Should().BeNull();
    }

    // ---------------------------------------------------------------- docs/safety.md

    // "Changing the guards"
    [Fact]
    public async Task Safety_WithSafety_RaisesTheLimitForOneExperiment()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;
        var refused = () => Experiment.On(cart).Count(2).Kill().DryRun().RunAsync(cluster.Client);
        (await refused.Should().ThrowAsync<ChaosRefusedException>()).Which.Message.Should().Be(
            "Refusing to kill 2 of 3 eligible pods (66.7%): Safety.MaxPercentage is 50. Pick fewer with One()/Count()/Percent(), or raise the limit with .WithSafety(s => s.MaxPercentage = 67). Nothing was changed.");

        // snippet
        var experiment = Experiment.On(cart).Count(2).Kill()
            .WithSafety(s =>
            {
                s.MaxPercentage = 70;                     // 2 of 3 eligible = 66.7 %
                s.MinHealthyRemaining = 1;                // 1 of 3 stays untouched
                s.ProtectedNamespaces.Add("payments");    // never touched, in addition to kube-*
            });
        // end snippet

        var result = await experiment.DryRun().RunAsync(cluster.Client);
        result.Should().HaveAffected(2);
        result.Timeline.Should().Contain(t => t.Phase == "guard" && t.Message == "2 of 3 (66.7%) within Safety.MaxPercentage 70, 1 untouched");
    }

    // "MinHealthyRemaining"
    [Fact]
    public async Task Safety_MinHealthyRemaining_RefusesWhenNothingWouldStayUntouched()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;

        // snippet
        var run = () => Experiment.On(cart).All().Kill()
            .WithSafety(s => s.MaxPercentage = 100)               // MinHealthyRemaining stays 1
            .RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("Refusing to kill 3 of 3 eligible pods: only 0 would stay untouched and Safety.MinHealthyRemaining is 1.*");
        // end snippet

        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    // "Protected and production namespaces"
    [Fact]
    public async Task Safety_ProductionNamespace_IsRefusedUnlessAllowed()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Client.CoreV1.PatchNamespaceAsync(
            new V1Patch("{\"metadata\":{\"annotations\":{\"chaos.testing/production\":\"true\"}}}", V1Patch.PatchType.MergePatch), "shop");
        var cart = Cart;

        // snippet
        var refused = () => Experiment.On(cart).Kill().RunAsync(cluster.Client);
        (await refused.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("*looks like production*");

        var result = await Experiment.On(cart).Kill().AllowProduction().RunAsync(cluster.Client);
        result.Should().HaveHeldSteadyState();
        // end snippet

        (await refused.Should().ThrowAsync<ChaosRefusedException>()).Which.Message.Should().Be(
            "Refusing to touch namespace \"shop\": it is annotated chaos.testing/production=true, so it looks like production. If this is intended, call .AllowProduction() on the experiment. Nothing was changed.");
        var system = () => Experiment.On(Pods.In("kube-system")).Kill().AllowProduction().RunAsync(cluster.Client);
        (await system.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Refusing to touch namespace \"kube-system\": it is protected*");
    }

    // "The exclusion label": on a namespace (refusal) and on a node (its pods are filtered out).
    [Fact]
    public async Task Safety_ExclusionLabel_OnNamespaceRefusesOnNodeFilters()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items;
        var node = pods[0].Spec.NodeName;
        await cluster.Client.CoreV1.PatchNodeAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"chaos.testing/exclude\":\"true\"}}}", V1Patch.PatchType.MergePatch), node);
        var cart = Cart;

        var result = await Experiment.On(cart).All().Kill()
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; })
            .DryRun()
            .RunAsync(cluster.Client);

        result.Affected.Should().NotContain(a => pods.Any(p => p.Metadata.Name == a.Name && p.Spec.NodeName == node));
        result.Affected.Should().HaveCount(pods.Count(p => p.Spec.NodeName != node));
        result.Timeline.Should().Contain(t => t.Message.Contains("on a node labelled chaos.testing/exclude=true", StringComparison.Ordinal));

        await cluster.Client.CoreV1.PatchNamespaceAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"chaos.testing/exclude\":\"true\"}}}", V1Patch.PatchType.MergePatch), "shop");

        // snippet
        var run = () => Experiment.On(cart).Kill().AllowProduction().RunAsync(cluster.Client);
        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("Refusing to touch namespace \"shop\": it is labelled chaos.testing/exclude=true.*");
        // end snippet
    }

    // "Dry run"
    [Fact]
    public async Task Safety_DryRun_WritesNothingAndListsWhatWouldBeKilled()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;

        // snippet
        var result = await Experiment.On(cart).Percent(30).Kill()
            .For(TimeSpan.FromMinutes(5))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .DryRun()
            .RunAsync(cluster.Client);

        result.DryRun.Should().BeTrue();
        result.Affected.Should().ContainSingle().Which.Action.Should().Be("would kill");
        // end snippet

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Probes.Should().BeEmpty("a dry run starts no probe");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
        cluster.Emulator.Audit.Entries.Select(e => $"{e.Verb} {e.Resource}").Distinct().Should().BeEquivalentTo(["get namespaces", "list nodes", "list pods"]);
    }

    // "403 Forbidden"
    [Fact]
    public async Task Safety_Forbidden_IsARefusalNamingVerbAndResource()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var cart = Cart;
        using var deny = cluster.Emulator.Authorization.Deny("delete", "pods", "shop");

        // snippet
        var run = () => Experiment.On(cart).Kill().RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>())
            .WithMessage("The Kubernetes API refused to delete pods in namespace \"shop\" (403 Forbidden)*Nothing was retried.");
        // end snippet

        cluster.Emulator.Audit.Entries.Count(e => e.Verb == "delete").Should().Be(1, "a 403 is never retried");
    }

    // "403 Forbidden": events are best effort.
    [Fact]
    public async Task Safety_ForbiddenEvents_AreReportedButDoNotFailTheExperiment()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var deny = cluster.Emulator.Authorization.Deny("create", "events", "shop");

        var result = await Experiment.On(Cart).Kill().RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Errors.Should().Contain(e => e.StartsWith("could not record the ChaosInjected event on pod shop/", StringComparison.Ordinal));
    }

    // "Bad input"
    [Fact]
    public async Task Safety_BadInput_ListsEveryProblemBeforeAnyRequest()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var experiment = Experiment.On(Pods.In("Shop").WithLabel("app", "cart"))   // namespaces are lower case
            .Percent(150)                                                         // 1..100
            .Kill()
            .For(TimeSpan.Zero);                                                  // more than 0

        experiment.Validate().Should().HaveCount(3);                              // check without running

        var run = () => experiment.RunAsync(cluster.Client);
        var error = (await run.Should().ThrowAsync<ChaosConfigurationException>()).Which;
        error.Errors.Should().HaveCount(3);
        // end snippet

        error.Message.Should().Be(string.Join(Environment.NewLine,
            "The chaos experiment is invalid:",
            "- Target.Namespaces: \"Shop\" must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit (e.g. 'shop').",
            "- Selection.Percent: must be between 1 and 100, was 150.",
            "- Duration: For() needs more than 0 and at most 24 hours, was 00:00:00."));
        cluster.Emulator.Audit.Entries.Should().BeEmpty("not a single request reaches the cluster");
    }

    // ---------------------------------------------------------------- docs/faults/pod-kill.md

    [Fact]
    public async Task PodKill_WithOptions_DeletesWithTheGracePeriodAndWritesEvents()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .Kill(o =>
            {
                o.GracePeriod = TimeSpan.FromSeconds(5);     // default 0: no time to shut down, like a crash
                o.MaxParallelism = 4;                        // default 16
            })
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        result.Affected[0].Action.Should().Be("killed (grace 5s)");
        // end snippet

        var delete = cluster.Emulator.Audit.Entries.Single(e => e.Verb == "delete");
        delete.Name.Should().Be(result.Affected[0].Name);
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("shop", labelSelector: $"chaos.testing/experiment={result.ExperimentId}");
        events.Items.Select(e => e.Reason).Should().BeEquivalentTo(["ChaosInjected", "ChaosRecovered"]);
        events.Items.Should().OnlyContain(e => e.InvolvedObject.Name == result.Affected[0].Name && e.ReportingComponent == "chaos-testing");
    }

    // ---------------------------------------------------------------- docs/faults/pod-restart.md

    [Fact]
    public async Task PodRestart_WaitsForTheReplacementToBeReady()
    {
        await using var cluster = await ShopCluster.StartAsync();

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .Restart(o => o.ReplacementTimeout = TimeSpan.FromSeconds(60))   // default 2 minutes
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(cluster.Client);

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);           // the replacement is not counted
        result.Affected.Should().Contain(a => a.Action.StartsWith("replacement of ", StringComparison.Ordinal));
        // end snippet

        var restarted = result.Affected.Single(a => a.Action.StartsWith("restarted", StringComparison.Ordinal));
        restarted.Action.Should().Be("restarted (graceful delete)");
        var replacement = result.Affected.Single(a => a.Action.StartsWith("replacement of ", StringComparison.Ordinal));
        replacement.Action.Should().Be($"replacement of {restarted.Name} Ready");
        replacement.Name.Should().NotBe(restarted.Name);
        var hold = result.Timeline.Single(t => t.Phase == "hold");
        hold.At.Should().BeOnOrAfter(replacement.At, "the hold starts once the replacement is Ready");
        cluster.Emulator.Audit.Entries.Single(e => e.Verb == "delete").Query.Should().NotContain("gracePeriodSeconds");
    }

    [Fact]
    public async Task PodRestart_WithoutAReadyReplacement_FailsAfterTheTimeout()
    {
        await using var cluster = await ShopCluster.StartAsync();
        foreach (var node in (await cluster.Client.CoreV1.ListNodeAsync()).Items)
        {
            await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"unschedulable\":true}}", V1Patch.PatchType.MergePatch), node.Metadata.Name);
        }

        var result = await Experiment.On(Cart).Restart(o => o.ReplacementTimeout = TimeSpan.FromSeconds(1)).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().StartWith("the fault could not be injected: The ReplicaSet shop/cart-")
            .And.Contain("did not bring a Ready replacement for pod").And.Contain("within 1s (Restart.ReplacementTimeout)");
    }

    // ---------------------------------------------------------------- helpers (the wait helper is on the getting-started page)

    // snippet
    private static async Task WaitForReadyPodsAsync(IKubernetes client, string ns, string labelSelector, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector, cancellationToken: timeout.Token);
            if (pods.Items.Count(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true) >= count)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }

    // end snippet
    private static Task<V1Pod> LabelPodAsync(IKubernetes client, string name, string key, string value) =>
        client.CoreV1.PatchNamespacedPodAsync(new V1Patch($"{{\"metadata\":{{\"labels\":{{\"{key}\":\"{value}\"}}}}}}", V1Patch.PatchType.MergePatch), name, "shop");

    /// <summary>Passes lines on to xUnit's output and keeps them for assertions.</summary>
    private sealed class RecordingOutput(ITestOutputHelper inner) : ITestOutputHelper
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return _lines.ToArray();
                }
            }
        }

        public void WriteLine(string message)
        {
            lock (_lines)
            {
                _lines.Add(message);
            }

            inner.WriteLine(message);
        }

        public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}

// snippet (docs/getting-started.md, "Logging")
/// <summary>An <see cref="ILogger"/> that writes to xUnit's test output.</summary>
public sealed class TestOutputLogger(ITestOutputHelper output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            output.WriteLine($"[{logLevel}] {formatter(state, exception)}");
        }
    }
}

// end snippet
