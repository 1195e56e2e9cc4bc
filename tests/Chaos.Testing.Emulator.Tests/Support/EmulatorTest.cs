using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>
/// A test class whose every test gets its own emulator (starting one takes milliseconds) and its own namespace,
/// so tests never share state. Override <see cref="Configure"/> to change the options.
/// </summary>
public abstract class EmulatorTest : IAsyncLifetime
{
    /// <summary>The namespace each test works in; created before the test runs.</summary>
    protected const string Ns = "shop";

    private KubernetesEmulator? _cluster;

    /// <summary>Gets the emulator of the current test.</summary>
    protected KubernetesEmulator Cluster => _cluster ?? throw new InvalidOperationException("The emulator is not started.");

    /// <summary>Gets the real KubernetesClient talking HTTP to the emulator.</summary>
    protected IKubernetes Client => Cluster.Client;

    /// <inheritdoc />
    public virtual async Task InitializeAsync()
    {
        _cluster = await KubernetesEmulator.StartAsync(Configure);
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });

        // As on a real cluster, the control plane adds the root CA ConfigMap to every namespace; tests start once it has.
        await Eventually.MatchAsync(
            () => Client.CoreV1.ListNamespacedConfigMapAsync(Ns, fieldSelector: $"metadata.name={SystemObjects.RootCaConfigMap}"),
            l => l.Items.Count == 1,
            "the namespace has its kube-root-ca.crt");
    }

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>Changes the emulator options before it starts.</summary>
    /// <param name="options">The options.</param>
    protected virtual void Configure(KubernetesEmulatorOptions options)
    {
    }
}
