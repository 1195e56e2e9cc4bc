using Chaos.Testing;
using Chaos.Testing.Xunit;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace ChaosTests;

[Collection(ChaosCollection.Name)]
public sealed class CartResilienceTests(ChaosClusterFixture cluster, ITestOutputHelper output)
{
    // Replace with your service's manifests (a file copied to the output works too).
    private const string Cart = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: cart
          template:
            metadata:
              labels:
                app: cart
            spec:
              containers:
                - name: cart
                  image: shop/cart:1
        """;

    [ChaosFact]
    public async Task CartStaysAvailableWhenAPodIsKilled()
    {
        await using var ns = await cluster.CreateNamespaceAsync(output);   // named after this test, deleted after it
        await cluster.Cluster.ApplyAsync(Cart, ns.Name);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60));

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
            .One()
            .Kill()
            .For(TimeSpan.FromSeconds(1))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(cluster.Client);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
    }
}
