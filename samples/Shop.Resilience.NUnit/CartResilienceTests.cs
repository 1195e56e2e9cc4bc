using Chaos.Testing;
using Chaos.Testing.NUnit;
using k8s;
using NUnit.Framework;

namespace Shop.Resilience.NUnit;

/// <summary>The cart keeps serving when it loses a pod. Each test gets a fresh namespace with the shop in it.</summary>
public sealed class CartResilienceTests : ChaosTestBase
{
    private PodTarget Cart => Pods.In(Namespace).WithLabel("app", "cart");

    [SetUp]
    public async Task DeployTheShopAsync() =>
        await ApplyAsync(await File.ReadAllTextAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "shop.yaml")));

    [ChaosTest]
    public async Task Cart_recovers_when_a_pod_is_killed()
    {
        var result = await Experiment.On(Cart).Kill()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(Namespace, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(Logger)
            .RunAsync(Client);

        Report(result);                  // report to the test output, JSON attached to the test
        result.EnsureSteadyState();      // or: result.Should().HaveHeldSteadyState() with FluentAssertions
        Assert.That(result.Affected, Has.Count.EqualTo(1));
    }

    [ChaosTest]
    public async Task Cart_stays_available_when_a_pod_is_restarted()
    {
        var result = await Experiment.On(Cart)
            .Restart(o => o.ReplacementTimeout = TimeSpan.FromSeconds(30))   // waits for a Ready replacement
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(Namespace, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(Logger)
            .RunAsync(Client);

        Report(result);
        result.EnsureSteadyState();
        Assert.That(result.Affected, Has.Some.Matches<AffectedTarget>(a => a.Action.StartsWith("replacement of ", StringComparison.Ordinal)));
    }

    [ChaosTest]
    public async Task Cart_stays_available_when_a_node_it_runs_on_is_drained()
    {
        if ((await Client.CoreV1.ListNodeAsync()).Items.Count < 2)
        {
            Assert.Ignore("A drain needs a second node to move the cart to; this cluster has one (e.g. K3s).");
        }

        var result = await Experiment.On(Nodes.Hosting(Cart))
            .Drain(o => o.Timeout = TimeSpan.FromSeconds(60))   // evictions honour the cart's PodDisruptionBudget
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(Namespace, "cart").BeforeAndAfter(TimeSpan.FromSeconds(60)))
            .WithLogger(Logger)
            .RunAsync(Client);

        Report(result);
        result.EnsureSteadyState();
        Assert.That(result.Affected, Has.Some.Matches<AffectedTarget>(a => a.Kind == "Node" && a.Action == "uncordoned"));
    }

    [ChaosTest]
    public async Task Cart_stays_available_while_its_network_is_slow()
    {
        var result = await Experiment.On(Cart)
            .DelayNetwork(TimeSpan.FromMilliseconds(200), o => o.Jitter = TimeSpan.FromMilliseconds(20))   // netem in an ephemeral container
            .For(TimeSpan.FromSeconds(1))
            .Verify(SteadyState.DeploymentAvailable(Namespace, "cart").BeforeAndAfter(TimeSpan.FromSeconds(60)))
            .WithLogger(Logger)
            .RunAsync(Client);

        Report(result);
        result.EnsureSteadyState();
        Assert.That(result.Affected, Has.Some.Matches<AffectedTarget>(a => a.Action.StartsWith("network delayed by 200 ms", StringComparison.Ordinal)));
    }
}
