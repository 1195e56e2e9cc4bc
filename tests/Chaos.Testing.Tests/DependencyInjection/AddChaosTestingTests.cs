using Chaos.Testing.Tests.Support;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Testing.Tests.DependencyInjection;

/// <summary><c>AddChaosTesting</c>: the registered client, defaults and clock reach the experiments run through <see cref="IChaosEngine"/>.</summary>
public sealed class AddChaosTestingTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    [Fact]
    public async Task RunAsync_AllPodsWithDiMaxPercentage100_PassesBecauseTheDiDefaultsApply()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster, o => (o.Safety.MaxPercentage, o.Safety.MinHealthyRemaining) = (100, 0));
        var engine = provider.GetRequiredService<IChaosEngine>();

        var result = await engine.RunAsync(Experiment.On(Cart).All().Kill());

        result.Should().HaveHeldSteadyState().And.HaveAffected(3);
        cluster.Emulator.Audit.Writes.Count(w => w.Verb == "delete" && w.Resource == "pods").Should().Be(3);
    }

    [Fact]
    public async Task RunAsync_AllPodsWithoutDiDefaults_IsRefusedByTheLibraryMaxPercentage()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster);
        var engine = provider.GetRequiredService<IChaosEngine>();

        var run = () => engine.RunAsync(Experiment.On(Cart).All().Kill());

        await run.Should().ThrowExactlyAsync<ChaosRefusedException>().WithMessage(
            "Refusing to kill 3 of 3 eligible pods (100%): Safety.MaxPercentage is 50. Pick fewer with One()/Count()/Percent(), or raise the limit with .WithSafety(s => s.MaxPercentage = 100). Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_AllPodsDirectlyOnTheClient_IgnoresDiDefaultsAndIsRefused()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster, o => (o.Safety.MaxPercentage, o.Safety.MinHealthyRemaining) = (100, 0));

        var run = () => Experiment.On(Cart).All().Kill().RunAsync(provider.GetRequiredService<IKubernetes>());

        await run.Should().ThrowExactlyAsync<ChaosRefusedException>().WithMessage("Refusing to kill 3 of 3 eligible pods (100%): Safety.MaxPercentage is 50.*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_DiMaxPercentageOnly_IsStillRefusedByTheDefaultMinHealthyRemaining()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster, o => o.Safety.MaxPercentage = 100);
        var engine = provider.GetRequiredService<IChaosEngine>();

        var run = () => engine.RunAsync(Experiment.On(Cart).All().Kill());

        await run.Should().ThrowExactlyAsync<ChaosRefusedException>().WithMessage(
            "Refusing to kill 3 of 3 eligible pods: only 0 would stay untouched and Safety.MinHealthyRemaining is 1.*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_ExperimentWithItsOwnSafety_WinsOverTheDiDefaults()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster, o => (o.Safety.MaxPercentage, o.Safety.MinHealthyRemaining) = (100, 0));
        var engine = provider.GetRequiredService<IChaosEngine>();

        var run = () => engine.RunAsync(Experiment.On(Cart).All().Kill().WithSafety(s => s.MaxPercentage = 50));

        await run.Should().ThrowExactlyAsync<ChaosRefusedException>().WithMessage("Refusing to kill 3 of 3 eligible pods (100%): Safety.MaxPercentage is 50.*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_ExperimentLooserThanTheDiDefaults_RunsWithItsOwnSafety()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster, o => o.Safety.MaxPercentage = 10);
        var engine = provider.GetRequiredService<IChaosEngine>();

        var refused = () => engine.RunAsync(Experiment.On(Cart).One().Kill());
        await refused.Should().ThrowExactlyAsync<ChaosRefusedException>().WithMessage("Refusing to kill 1 of 3 eligible pods (33.3%): Safety.MaxPercentage is 10.*");

        var result = await engine.RunAsync(Experiment.On(Cart).One().Kill().WithSafety(s => s.MaxPercentage = 40));

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
    }

    [Fact]
    public async Task RunAsync_AllowProductionOnAnExperiment_KeepsTheDiProtectedNamespaces()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster, o => o.Safety.ProtectedNamespaces.Add("shop"));
        var engine = provider.GetRequiredService<IChaosEngine>();

        var run = () => engine.RunAsync(Experiment.On(Cart).One().Kill().AllowProduction());

        await run.Should().ThrowExactlyAsync<ChaosRefusedException>().WithMessage("Refusing to touch namespace \"shop\": it is protected*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_DiProtectedNamespace_IsRefused()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster, o => o.Safety.ProtectedNamespaces.Add("shop"));
        var engine = provider.GetRequiredService<IChaosEngine>();

        var run = () => engine.RunAsync(Experiment.On(Cart).One().Kill());

        await run.Should().ThrowExactlyAsync<ChaosRefusedException>().WithMessage(
            "Refusing to touch namespace \"shop\": it is protected (Safety.ProtectedNamespaces: kube-node-lease, kube-public, kube-system, shop). Target your own workload's namespace. Nothing was changed.");
        cluster.Emulator.Audit.Entries.Should().BeEmpty("a protected namespace is refused before any request");
    }

    [Fact]
    public async Task RunAsync_DiEmitEventsOff_WritesNoEvent()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster, o => o.EmitEvents = false);
        var engine = provider.GetRequiredService<IChaosEngine>();

        var result = await engine.RunAsync(Experiment.On(Cart).One().Kill());

        result.Should().HaveHeldSteadyState();
        cluster.Emulator.Audit.Writes.Should().ContainSingle().Which.Verb.Should().Be("delete");
    }

    [Fact]
    public async Task RunAsync_RegisteredTimeProvider_IsTheExperimentsClock()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<IKubernetes>(cluster.Client);
        services.AddSingleton<TimeProvider>(clock);
        services.AddChaosTesting(o => o.EmitEvents = false);
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<IChaosEngine>().RunAsync(Experiment.On(Cart).One().Kill());

        result.StartedAt.Should().Be(clock.GetUtcNow());
        result.FinishedAt.Should().Be(clock.GetUtcNow());
        result.Affected.Should().ContainSingle().Which.At.Should().Be(clock.GetUtcNow());
    }

    [Fact]
    public async Task AddChaosTesting_WithARegisteredClient_RegistersOptionsClockAndEngineAndKeepsTheClient()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var services = new ServiceCollection();
        services.AddSingleton<IKubernetes>(cluster.Client);

        services.AddChaosTesting(o => (o.Safety.MaxPercentage, o.EmitEvents) = (100, false)).Should().BeSameAs(services);

        services.Where(d => d.ServiceType == typeof(IKubernetes)).Should().ContainSingle("the registered client is kept");
        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<ChaosTestingOptions>();
        options.Safety.MaxPercentage.Should().Be(100);
        options.EmitEvents.Should().BeFalse();
        provider.GetRequiredService<ChaosTestingOptions>().Should().BeSameAs(options, "the options are a singleton");
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
        provider.GetRequiredService<IKubernetes>().Should().BeSameAs(cluster.Client);
        provider.GetRequiredService<IChaosEngine>().Should().NotBeNull().And.BeSameAs(provider.GetRequiredService<IChaosEngine>());
    }

    [Fact]
    public void AddChaosTesting_WithoutAClient_RegistersAKubeconfigClientLazily()
    {
        var services = new ServiceCollection();

        services.AddChaosTesting(o => o.KubeconfigPath = "/nonexistent/kubeconfig");

        var client = services.Should().ContainSingle(d => d.ServiceType == typeof(IKubernetes)).Which;
        client.Lifetime.Should().Be(ServiceLifetime.Singleton);
        client.ImplementationFactory.Should().NotBeNull("the kubeconfig is read only when the client is first resolved");
        services.Should().ContainSingle(d => d.ServiceType == typeof(IChaosEngine));
        services.Should().ContainSingle(d => d.ServiceType == typeof(ChaosTestingOptions));
        services.Should().ContainSingle(d => d.ServiceType == typeof(TimeProvider));
    }

    [Fact]
    public void AddChaosTesting_CalledTwice_KeepsTheFirstOptions()
    {
        var services = new ServiceCollection();

        services.AddChaosTesting(o => o.Safety.MaxPercentage = 20);
        services.AddChaosTesting(o => o.Safety.MaxPercentage = 90);

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<ChaosTestingOptions>().Safety.MaxPercentage.Should().Be(20);
        services.Where(d => d.ServiceType == typeof(IChaosEngine)).Should().ContainSingle();
    }

    [Fact]
    public async Task RunAsync_NullExperiment_Throws()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await using var provider = Services(cluster);

        var run = () => provider.GetRequiredService<IChaosEngine>().RunAsync(null!);

        await run.Should().ThrowAsync<ArgumentNullException>();
    }

    private static ServiceProvider Services(ShopCluster cluster, Action<ChaosTestingOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IKubernetes>(cluster.Client);
        services.AddChaosTesting(configure);
        return services.BuildServiceProvider();
    }
}
