namespace Chaos.Testing;

/// <summary>
/// Starts clusters of one kind. The emulator and K3s packages each contain one; <see cref="ChaosClusters"/> finds
/// them by name when their package is referenced, so the core package depends on neither.
/// </summary>
public interface IChaosClusterProvider
{
    /// <summary>Why this kind cannot be started here (e.g. Docker is not reachable), or null when it can.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The reason, or null.</returns>
    string? WhyUnavailable(ChaosClusterOptions options);

    /// <summary>Starts (or connects to) a cluster.</summary>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The cluster; dispose it to release it.</returns>
    Task<IChaosCluster> StartAsync(ChaosClusterOptions options, CancellationToken cancellationToken);
}
