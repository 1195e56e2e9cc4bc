using k8s;

namespace Chaos.Testing;

/// <summary>
/// The cluster a test run uses — an existing one from a kubeconfig, a K3s container or the in-process emulator —
/// behind one shape. Get one with <see cref="ChaosClusters.AcquireAsync(ChaosClusterOptions?, CancellationToken)"/>.
/// </summary>
public interface IChaosCluster : IAsyncDisposable
{
    /// <summary>Gets the kind of cluster: <c>emulator</c>, <c>kubeconfig</c> or <c>k3s</c>.</summary>
    string Kind { get; }

    /// <summary>Gets a client for the cluster.</summary>
    IKubernetes Client { get; }

    /// <summary>Gets a one-line description for test output, e.g. <c>emulator at http://127.0.0.1:40123/</c>.</summary>
    string Description { get; }
}
