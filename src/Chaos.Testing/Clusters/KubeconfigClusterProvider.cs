using k8s;

namespace Chaos.Testing;

/// <summary>An existing cluster from a kubeconfig file.</summary>
internal sealed class KubeconfigClusterProvider : IChaosClusterProvider
{
    public string? WhyUnavailable(ChaosClusterOptions options)
    {
        var path = options.ResolveKubeconfigPath();
        if (path is null)
        {
            return $"a kubeconfig cluster was requested but no kubeconfig is set: set {ChaosClusterOptions.KubeconfigVariable} (or ChaosClusterOptions.KubeconfigPath)";
        }

        return File.Exists(path) ? null : $"the kubeconfig \"{path}\" ({ChaosClusterOptions.KubeconfigVariable}) does not exist";
    }

    public async Task<IChaosCluster> StartAsync(ChaosClusterOptions options, CancellationToken cancellationToken)
    {
        if (WhyUnavailable(options) is { } why)
        {
            throw new ChaosClusterUnavailableException(why);
        }

        var path = options.ResolveKubeconfigPath()!;
        var client = new Kubernetes(await KubernetesClientConfiguration.BuildConfigFromConfigFileAsync(new FileInfo(path), options.ResolveContext()));
        try
        {
            await client.Version.GetCodeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            client.Dispose();
            throw new ChaosClusterUnavailableException($"the cluster of kubeconfig \"{path}\" did not answer: {ex.Message}", ex);
        }

        return new KubeconfigCluster(client, $"kubeconfig {path}{(options.ResolveContext() is { } context ? $" (context {context})" : string.Empty)}");
    }

    private sealed class KubeconfigCluster(Kubernetes client, string description) : IChaosCluster
    {
        public string Kind => ChaosClusters.Kubeconfig;

        public IKubernetes Client => client;

        public string Description => description;

        public ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
