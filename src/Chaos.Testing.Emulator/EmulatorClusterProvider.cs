using k8s;

namespace Chaos.Testing.Emulator;

/// <summary>
/// The <c>emulator</c> kind of <see cref="ChaosClusters"/>: an in-process <see cref="KubernetesEmulator"/>, always
/// available. Found by name when this package is referenced.
/// </summary>
public sealed class EmulatorClusterProvider : IChaosClusterProvider
{
    /// <inheritdoc />
    public string? WhyUnavailable(ChaosClusterOptions options) => null;

    /// <inheritdoc />
    public async Task<IChaosCluster> StartAsync(ChaosClusterOptions options, CancellationToken cancellationToken) =>
        new EmulatorCluster(await KubernetesEmulator.StartAsync(cancellationToken: cancellationToken));

    /// <summary>An emulator seen as an <see cref="IChaosCluster"/>.</summary>
    private sealed class EmulatorCluster(KubernetesEmulator emulator) : IChaosCluster
    {
        public string Kind => ChaosClusters.Emulator;

        public IKubernetes Client => emulator.Client;

        public string Description => $"emulator at {emulator.BaseAddress} (kubeconfig {emulator.KubeconfigPath})";

        public ValueTask DisposeAsync() => emulator.DisposeAsync();
    }
}
