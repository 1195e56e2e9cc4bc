using NUnit.Framework;

namespace Chaos.Testing.NUnit;

/// <summary>
/// Acquires the chaos cluster once for the tests in its scope and releases it after them. Derive a class in your
/// test assembly and mark it <c>[SetUpFixture]</c>: outside any namespace it covers the whole assembly, inside a
/// namespace it covers that namespace.
/// </summary>
/// <example>
/// <code>
/// [SetUpFixture]
/// public sealed class ChaosSetUp : ChaosClusterSetUp
/// {
/// }
/// </code>
/// </example>
public abstract class ChaosClusterSetUp
{
    /// <summary>The options to acquire the cluster with; the default reads <c>CHAOS_CLUSTER</c> and <c>CHAOS_KUBECONFIG</c>.</summary>
    /// <returns>The options.</returns>
    protected virtual ChaosClusterOptions CreateOptions() => new();

    /// <summary>
    /// Acquires the cluster into <see cref="ChaosCluster.Current"/>, or records why it is unavailable in
    /// <see cref="ChaosCluster.UnavailableReason"/> (the tests are then Ignored). In strict mode
    /// (<see cref="ChaosClusterOptions.Strict"/>, <c>CHAOS_STRICT=1</c>) it throws instead, and NUnit fails every test in
    /// its scope with the reason.
    /// </summary>
    /// <returns>A task that completes when the cluster is ready or known to be unavailable.</returns>
    /// <exception cref="ChaosClusterUnavailableException">The cluster is unavailable and strict mode is on.</exception>
    [OneTimeSetUp]
    public async Task AcquireChaosClusterAsync()
    {
        var options = CreateOptions();
        try
        {
            ChaosCluster.Current = await ChaosClusters.AcquireAsync(options, TestContext.CurrentContext.CancellationToken);
            ChaosCluster.UnavailableReason = null;
            await TestContext.Progress.WriteLineAsync($"Chaos cluster: {ChaosCluster.Current.Description}");
        }
        catch (ChaosClusterUnavailableException ex) when (options.ResolveStrict())
        {
            throw new ChaosClusterUnavailableException(
                $"{ChaosCluster.SkipPrefix}{ex.Message} (strict mode, {ChaosClusterOptions.StrictVariable} or ChaosClusterOptions.Strict: the tests fail instead of skipping)", ex);
        }
        catch (ChaosClusterUnavailableException ex)
        {
            ChaosCluster.Current = null;
            ChaosCluster.UnavailableReason = ex.Message;
            await TestContext.Progress.WriteLineAsync(ChaosCluster.SkipPrefix + ex.Message);
            return;
        }

        // What crashed or interrupted runs left behind is recovered before the first test (docs/recovery.md).
        var sweep = await ChaosJanitor.SweepAsync(ChaosCluster.Current.Client, CreateSweepOptions(), TestContext.CurrentContext.CancellationToken);
        ChaosCluster.InitialSweep = sweep;
        if (sweep.Recovered.Count > 0 || sweep.Failed.Count > 0 || sweep.Skipped.Count > 0)
        {
            await TestContext.Progress.WriteLineAsync(sweep.ToString());
        }
    }

    /// <summary>The options of the janitor sweep run when the cluster is acquired; override to register custom recoveries.</summary>
    /// <returns>The sweep options.</returns>
    protected virtual SweepOptions CreateSweepOptions() => new();

    /// <summary>Releases the cluster (for the emulator and K3s: stops it).</summary>
    /// <returns>A task that completes when the cluster is released.</returns>
    [OneTimeTearDown]
    public async Task ReleaseChaosClusterAsync()
    {
        var cluster = ChaosCluster.Current;
        ChaosCluster.Current = null;
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}
