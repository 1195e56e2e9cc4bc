using Chaos.Testing.Emulator;
using k8s;

namespace Chaos.Testing.Cli;

/// <summary>The cluster a command talks to: the kubeconfig's (current or <c>--context</c>) context, or an in-process emulator (<c>--cluster emulator</c>).</summary>
internal sealed class ClusterSession : IAsyncDisposable
{
    private ClusterSession(IKubernetes client, string description, KubernetesEmulator? emulator)
    {
        (Client, Description, Emulator) = (client, description, emulator);
    }

    public IKubernetes Client { get; }

    /// <summary>Gets where the client points, for people.</summary>
    public string Description { get; }

    public KubernetesEmulator? Emulator { get; }

    /// <summary>Connects to the kubeconfig's cluster (in a pod without a kubeconfig: the in-cluster account).</summary>
    /// <exception cref="InvalidDataException">The kubeconfig or context cannot be used.</exception>
    public static ClusterSession Connect(string? kubeconfig, string? context)
    {
        KubernetesClientConfiguration configuration;
        try
        {
            configuration = kubeconfig is null && context is null && KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"kubeconfig{(kubeconfig is null ? string.Empty : " " + kubeconfig)}{(context is null ? string.Empty : $", context \"{context}\"")}: {ex.Message}", ex);
        }

        var where = $"{configuration.Host}{(configuration.CurrentContext is { } name ? $" (context {name})" : string.Empty)}";
        return new ClusterSession(new Kubernetes(configuration), where, null);
    }

    /// <summary>Starts an in-process emulator (simulated pods) and applies <paramref name="yamlFiles"/> to it, then waits for their workloads.</summary>
    public static async Task<ClusterSession> StartEmulatorAsync(IReadOnlyList<string> yamlFiles, TextWriter progress, CancellationToken cancellationToken)
    {
        var emulator = await KubernetesEmulator.StartAsync(new KubernetesEmulatorOptions(), cancellationToken);
        try
        {
            foreach (var file in yamlFiles)
            {
                await emulator.ApplyYamlAsync(await File.ReadAllTextAsync(file, cancellationToken), cancellationToken);
            }

            await WaitForWorkloadsAsync(emulator.Client, cancellationToken);
            await progress.WriteLineAsync($"emulator started at {emulator.BaseAddress}{(yamlFiles.Count == 0 ? " (empty: give workloads with --apply)" : $" with {string.Join(", ", yamlFiles)}")}");
            return new ClusterSession(emulator.Client, $"in-process emulator {emulator.BaseAddress}", emulator);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
        else
        {
            Client.Dispose();
        }
    }

    /// <summary>Waits (up to a minute) until every Deployment and StatefulSet has all its replicas ready.</summary>
    private static async Task WaitForWorkloadsAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var waiting = new List<string>();
        try
        {
            while (true)
            {
                var deployments = await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: linked.Token);
                var sets = await client.AppsV1.ListStatefulSetForAllNamespacesAsync(cancellationToken: linked.Token);
                waiting = deployments.Items.Where(d => (d.Status?.ReadyReplicas ?? 0) < (d.Spec.Replicas ?? 1)).Select(d => $"Deployment {d.Metadata.NamespaceProperty}/{d.Metadata.Name}")
                    .Concat(sets.Items.Where(s => (s.Status?.ReadyReplicas ?? 0) < (s.Spec.Replicas ?? 1)).Select(s => $"StatefulSet {s.Metadata.NamespaceProperty}/{s.Metadata.Name}"))
                    .ToList();
                if (waiting.Count == 0)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, linked.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the applied workloads were not ready within a minute: {string.Join(", ", waiting)}");
        }
    }
}
