using Chaos.Testing;
using Chaos.Testing.Xunit;
using k8s;
using FluentAssertions;
using Xunit;

namespace Shop.Resilience.XunitV3;

[Collection(ChaosCollection.Name)]
public sealed class CartResilienceTests(ChaosClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly string ShopYaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shop.yaml"));

    // xUnit v3 cancels it when the run is stopped or the test times out; CreateNamespaceAsync takes it by itself.
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [ChaosFact]
    public async Task CartRecoversAfterLosingAPod()
    {
        await using var ns = await cluster.CreateNamespaceAsync();   // chaos-<test name>-<suffix>, deleted at the end of the test
        await cluster.Cluster.ApplyAsync(ShopYaml, ns.Name, Cancellation);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60), Cancellation);

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
            .Kill()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(cluster.Client, Cancellation);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
    }

    [ChaosFact]
    public async Task CartHandsOverToAReadyReplacementOnRestart()
    {
        await using var ns = await cluster.CreateNamespaceAsync();
        await cluster.Cluster.ApplyAsync(ShopYaml, ns.Name, Cancellation);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60), Cancellation);

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
            .Restart(o => o.ReplacementTimeout = TimeSpan.FromSeconds(60))
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(cluster.Client, Cancellation);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        result.Affected.Should().Contain(a => a.Action.StartsWith("replacement of ", StringComparison.Ordinal));
    }

    [ChaosFact]
    public async Task CartSurvivesADrainOfANodeItRunsOn()
    {
        await using var ns = await cluster.CreateNamespaceAsync();
        await cluster.Cluster.ApplyAsync(ShopYaml, ns.Name, Cancellation);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60), Cancellation);

        var drain = Experiment.On(Nodes.Hosting(Pods.In(ns.Name).WithLabel("app", "cart")))
            .Drain(o => o.Timeout = TimeSpan.FromSeconds(60))   // evictions honour the cart's PodDisruptionBudget
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(60)))
            .WithLogger(output.ToLogger());

        if ((await cluster.Client.CoreV1.ListNodeAsync(cancellationToken: Cancellation)).Items.Count < 2)
        {
            // A single-node cluster (such as K3s): the safety guards refuse to drain the only node.
            var refused = () => drain.RunAsync(cluster.Client, Cancellation);
            await refused.Should().ThrowAsync<ChaosRefusedException>();
            return;
        }

        var result = await drain.RunAsync(cluster.Client, Cancellation);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState();
        result.Affected.Should().Contain(a => a.Kind == "Node" && a.Action == "cordoned")
            .And.Contain(a => a.Kind == "Node" && a.Action == "uncordoned");
    }

    [ChaosFact]
    public async Task CartStaysAvailableWhileItsNetworkIsSlow()
    {
        await using var ns = await cluster.CreateNamespaceAsync();
        await cluster.Cluster.ApplyAsync(ShopYaml, ns.Name, Cancellation);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60), Cancellation);

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
            .DelayNetwork(TimeSpan.FromMilliseconds(200), o => o.Jitter = TimeSpan.FromMilliseconds(20))   // netem in an ephemeral container
            .For(TimeSpan.FromSeconds(1))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(60)))
            .WithLogger(output.ToLogger())
            .RunAsync(cluster.Client, Cancellation);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
    }
}
