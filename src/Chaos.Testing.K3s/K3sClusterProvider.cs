namespace Chaos.Testing.K3s;

/// <summary>
/// The <c>k3s</c> kind of <see cref="ChaosClusters"/> (<c>CHAOS_CLUSTER=k3s</c>): a <see cref="K3sChaosCluster"/> with
/// <see cref="K3sChaosClusterOptions.FromEnvironment"/>. Found by name when this package is referenced.
/// </summary>
public sealed class K3sClusterProvider : IChaosClusterProvider
{
    /// <summary>Why K3s cannot start here: the Docker reachability reason, or null when Docker answers.</summary>
    /// <param name="options">The options (not used: only Docker matters).</param>
    /// <returns>The reason, or null.</returns>
    public string? WhyUnavailable(ChaosClusterOptions options) => DockerProbe.WhyUnreachable();

    /// <inheritdoc />
    public async Task<IChaosCluster> StartAsync(ChaosClusterOptions options, CancellationToken cancellationToken) =>
        await K3sChaosCluster.StartAsync(K3sChaosClusterOptions.FromEnvironment(), cancellationToken);
}
