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
