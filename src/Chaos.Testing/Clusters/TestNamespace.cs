using k8s;

namespace Chaos.Testing;

/// <summary>A namespace created for one test; disposing it deletes it (unless kept for debugging).</summary>
public sealed class TestNamespace : IAsyncDisposable
{
    private readonly IChaosCluster _cluster;
    private readonly bool _keep;

    internal TestNamespace(IChaosCluster cluster, string name, bool keep)
    {
        _cluster = cluster;
        Name = name;
        _keep = keep;
    }

    /// <summary>Gets the namespace name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Deletes the namespace (and everything in it) unless it is kept.</summary>
    /// <returns>A task that completes when the deletion was accepted.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!_keep)
        {
            await _cluster.Client.CoreV1.DeleteNamespaceAsync(Name);
        }
    }
}
