namespace Chaos.Testing.Xunit.V3.Tests;

/// <summary>The collection definition a user writes once per test assembly: one cluster, chaos tests never overlap.</summary>
[CollectionDefinition(ChaosCollection.Name, DisableParallelization = true)]
public sealed class CartChaos : ChaosCollection
{
    public const string Yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
          labels:
            app: cart
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
                  image: example/cart:1.0
        """;
}
