using Chaos.Testing;
using Chaos.Testing.Xunit;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Resilience.Xunit;

[Collection(ChaosCollection.Name)]
public sealed class CartResilienceTests(ChaosClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly string ShopYaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shop.yaml"));

    [ChaosFact]
    public async Task CartRecoversAfterLosingAPod()
    {
        await using var ns = await cluster.CreateNamespaceAsync();   // deleted at the end of the test
        await cluster.Cluster.ApplyAsync(ShopYaml, ns.Name);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60));

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
            .Kill()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(cluster.Client);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
    }

    [ChaosFact]
    public async Task CartHandsOverToAReadyReplacementOnRestart()
    {
        await using var ns = await cluster.CreateNamespaceAsync();
        await cluster.Cluster.ApplyAsync(ShopYaml, ns.Name);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60));

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
            .Restart(o => o.ReplacementTimeout = TimeSpan.FromSeconds(60))
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(cluster.Client);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        result.Affected.Should().Contain(a => a.Action.StartsWith("replacement of ", StringComparison.Ordinal));
    }
}
