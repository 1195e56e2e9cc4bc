using Chaos.Testing;
using Chaos.Testing.NUnit;
using FluentAssertions;

namespace ChaosTests;

public sealed class CartResilienceTests : ChaosTestBase
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

    [ChaosTest]
    public async Task CartStaysAvailableWhenAPodIsKilled()
    {
        await ApplyAsync(Cart);   // into this test's namespace (named after the test, deleted after it), then wait until Ready

        var result = await Experiment.On(Pods.In(Namespace).WithLabel("app", "cart"))
            .One()
            .Kill()
            .For(TimeSpan.FromSeconds(1))
            .Verify(SteadyState.DeploymentAvailable(Namespace, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(Logger)
            .RunAsync(Client);

        Report(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
    }
}
