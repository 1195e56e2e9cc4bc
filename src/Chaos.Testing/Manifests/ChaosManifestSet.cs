using k8s;

namespace Chaos.Testing;

/// <summary>
/// Manifests loaded together, with every problem and notice found in them and between them (duplicate names,
/// <c>dependsOn</c> naming an experiment that is not there, a dependency cycle). Run them with <see cref="RunAsync"/>.
/// </summary>
public sealed class ChaosManifestSet
{
    private ChaosManifestSet(IReadOnlyList<ChaosManifest> manifests, IReadOnlyList<ManifestProblem> problems, IReadOnlyList<ManifestProblem> notices, IReadOnlyList<ChaosManifest> order)
    {
        (Manifests, Problems, Notices, ExecutionOrder) = (manifests, problems, notices, order);
    }

    /// <summary>Gets every manifest read, in load order (including those with problems).</summary>
    public IReadOnlyList<ChaosManifest> Manifests { get; }

    /// <summary>Gets every problem: the set cannot run while there is one.</summary>
    public IReadOnlyList<ManifestProblem> Problems { get; }

    /// <summary>Gets remarks that do not stop a run: skipped documents of other kinds, fields the action does not use, what is ignored.</summary>
    public IReadOnlyList<ManifestProblem> Notices { get; }

    /// <summary>Gets a value indicating whether there is no problem.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>Gets the manifests in the order a run takes them: each after those it depends on, otherwise in load order.</summary>
    public IReadOnlyList<ChaosManifest> ExecutionOrder { get; }

    /// <summary>Throws when there is a problem, listing every one.</summary>
    /// <exception cref="ChaosConfigurationException">There is a problem.</exception>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new ChaosConfigurationException(Problems.Select(p => p.ToString()).ToList());
        }
    }

    /// <summary>
    /// Runs the manifests one at a time in <see cref="ExecutionOrder"/>: paused ones and those whose dependency did not
    /// complete are skipped, a run outside its time windows or inside a maintenance window is refused, a failed injection
    /// is retried as <c>maxRetries</c>/<c>retryBackoff</c>/<c>retryDelay</c> say. A schedule is ignored (said in the result).
    /// </summary>
    /// <param name="client">The cluster.</param>
    /// <param name="options">Run options; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the batch; the running experiment still recovers.</param>
    /// <returns>One result per manifest, in execution order.</returns>
    /// <exception cref="ChaosConfigurationException">The set has problems (every one is listed); nothing ran.</exception>
    public Task<ManifestBatchResult> RunAsync(IKubernetes client, ManifestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ThrowIfInvalid();
        return new ManifestRunner(client, options ?? new()).RunAsync(ExecutionOrder, cancellationToken);
    }

    /// <summary>
    /// The long-running mode: runs the manifests without a <c>schedule</c> once, as <see cref="RunAsync"/> does, then each
    /// manifest with a <c>schedule</c> every time its cron fires (UTC, on <see cref="ManifestRunOptions.Time"/>), one run
    /// at a time (a run still going when the next time comes delays it, as the operator's <c>Forbid</c> does), until
    /// <paramref name="cancellationToken"/> is cancelled. Each result goes to <see cref="ManifestRunOptions.Progress"/>
    /// as it comes; a scheduled run is not held back by <c>dependsOn</c> (each firing stands alone).
    /// </summary>
    /// <param name="client">The cluster.</param>
    /// <param name="options">Run options; null for the defaults.</param>
    /// <param name="cancellationToken">Ends the mode; a running experiment still recovers.</param>
    /// <returns>Every result, in the order they came, once cancelled.</returns>
    /// <exception cref="ChaosConfigurationException">The set has problems (every one is listed); nothing ran.</exception>
    public async Task<ManifestBatchResult> RunScheduledAsync(IKubernetes client, ManifestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ThrowIfInvalid();
        options ??= new();
        var results = new List<ManifestRunResult>();
        var once = ExecutionOrder.Where(m => m.Spec.Schedule is null).ToList();
        if (once.Count > 0)
        {
            results.AddRange((await new ManifestRunner(client, options).RunAsync(once, cancellationToken)).Results);
        }

        var runner = new ManifestRunner(client, options, scheduled: true);
        var scheduled = ExecutionOrder.Where(m => m.Spec.Schedule is not null).ToList();
        var next = scheduled.ToDictionary(m => m, m => m.NextOccurrence(options.Time.GetUtcNow())!.Value);
        while (scheduled.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            var (manifest, at) = next.MinBy(p => p.Value);
            var wait = at - options.Time.GetUtcNow();
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, options.Time, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            results.AddRange((await runner.RunAsync([manifest], cancellationToken)).Results);
            next[manifest] = manifest.NextOccurrence(options.Time.GetUtcNow() > at ? options.Time.GetUtcNow() : at)!.Value;
        }

        return new ManifestBatchResult(results);
    }

    internal static ChaosManifestSet Read(IEnumerable<(string Yaml, string Source)> sources, List<ManifestProblem> problems)
    {
        var notices = new List<ManifestProblem>();
        var manifests = new List<ChaosManifest>();
        foreach (var (yaml, source) in sources)
        {
            manifests.AddRange(ManifestReader.Read(yaml, source, problems, notices));
        }

        var defaultHold = new ManifestRunOptions().DefaultHold;
        foreach (var manifest in manifests)
        {
            ManifestRules.Check(manifest, defaultHold, problems, notices);
        }

        var order = ManifestGraph.Order(manifests, problems);
        return new ChaosManifestSet(manifests, problems, notices, order);
    }
}
