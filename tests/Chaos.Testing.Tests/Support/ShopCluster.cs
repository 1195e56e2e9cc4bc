using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Support;

/// <summary>
/// An emulator with the "shop" workload (Deployment cart, 3 replicas, Ready) for one test. Experiments run through
/// the real KubernetesClient over loopback HTTP.
/// </summary>
public sealed class ShopCluster : IAsyncDisposable
{
    public const string Shop = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
          namespace: shop
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
                  readinessProbe:
                    httpGet:
                      path: /healthz
                      port: 8080
        """;

    private ShopCluster(KubernetesEmulator emulator) => Emulator = emulator;

    public KubernetesEmulator Emulator { get; }

    public IKubernetes Client => Emulator.Client;

    public static async Task<ShopCluster> StartAsync(int replicas = 3, string extraYaml = "", Action<KubernetesEmulatorOptions>? configure = null)
    {
        var emulator = await KubernetesEmulator.StartAsync(configure ?? (_ => { }));
        await emulator.ApplyYamlAsync(Shop.Replace("replicas: 3", $"replicas: {replicas}", StringComparison.Ordinal) + (extraYaml.Length > 0 ? "\n---\n" + extraYaml : string.Empty));
        var cluster = new ShopCluster(emulator);
        await cluster.WaitForReadyPodsAsync("shop", "app=cart", replicas);
        emulator.Audit.Clear();
        return cluster;
    }

    /// <summary>Waits until exactly <paramref name="count"/> live pods of the selector are Ready.</summary>
    public async Task<IReadOnlyList<V1Pod>> WaitForReadyPodsAsync(string ns, string selector, int count, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        List<V1Pod> ready = [];
        try
        {
            while (true)
            {
                var pods = await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: deadline.Token);
                ready = pods.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true).ToList();
                if (ready.Count == count)
                {
                    return ready;
                }

                await Task.Delay(10, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"expected {count} Ready pods of {ns}/{selector}, saw {ready.Count}");
        }
    }

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();
}
