
namespace Chaos.Testing;

/// <summary>Runs experiments with the registered client, logger, clock and defaults.</summary>
public interface IChaosEngine
{
    /// <summary>Runs <paramref name="experiment"/> against the registered cluster.</summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="cancellationToken">Cancels it; recovery still runs.</param>
    /// <returns>The result.</returns>
    Task<ChaosResult> RunAsync(ChaosExperiment experiment, CancellationToken cancellationToken = default);
}
