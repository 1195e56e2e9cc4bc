using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Recovers what crashed or interrupted runs left behind: every pod and node with a ledger entry that verifies against the
/// cluster's ledger key and whose run is gone (its Lease is absent, or was not renewed while the janitor watched it) is
/// restored (images back, uncordon, taint removed, custom recovery) and its entry removed. Idempotent; safe to run at any
/// time, including while experiments run: a run that renews its Lease is never recovered, whatever the clocks say.
/// </summary>
public static class ChaosJanitor
{
    private static readonly TimeSpan EntryTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Sweeps the cluster once.</summary>
    /// <param name="client">The cluster.</param>
    /// <param name="options">Options (force, custom recoveries, clock); defaults when null.</param>
    /// <param name="cancellationToken">Cancels the sweep (what was recovered stays recovered).</param>
    /// <returns>What was recovered, skipped and what failed.</returns>
    /// <example><code>var sweep = await ChaosJanitor.SweepAsync(client);</code></example>
    public static async Task<SweepResult> SweepAsync(IKubernetes client, SweepOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new SweepOptions();
        // The options' clock decides deadlines only; retries and bounds run on real time, so a test clock cannot stall a sweep.
        var api = new ApiCalls(TimeProvider.System);
        var recovered = new ConcurrentBag<string>();
        var skipped = new ConcurrentBag<string>();
        var failed = new ConcurrentBag<string>();

        // An identity that may not list pods or nodes cluster-wide gets a sweep of what it can see, and the rest reported.
        var work = new List<IKubernetesObject<V1ObjectMeta>>();
        try
        {
            var pods = await api.CallAsync("list", "pods", null,
                ct => client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: $"{Ledger.Label}=true", cancellationToken: ct), cancellationToken);
            work.AddRange(pods.Items);
        }
        catch (ChaosRefusedException refused)
        {
            failed.Add($"pods were not swept: {refused.Message}");
        }

        try
        {
            var nodes = await api.CallAsync("list", "nodes", null,
                ct => client.CoreV1.ListNodeAsync(labelSelector: $"{Ledger.Label}=true", cancellationToken: ct), cancellationToken);
            work.AddRange(nodes.Items);
        }
        catch (ChaosRefusedException refused)
        {
            failed.Add($"nodes were not swept: {refused.Message}");
        }

        // The key is read only when there is something to verify: a sweep of a clean cluster reads nothing more.
        var (key, keyProblem) = work.Count == 0 ? (null, null) : await LedgerKeyStore.TryReadAsync(client, api, options.Safety.LedgerKeySecret, cancellationToken);

        // Whether each run is alive is judged once per run, through its Lease, before any entry is acted on.
        var runs = work.SelectMany(t => Ledger.EntriesOf(t.Metadata, key)).Select(e => e.Experiment).ToList();
        var leases = LedgerKeyStore.Split(options.Safety.LedgerKeySecret).Namespace;
        var liveness = runs.Count == 0
            ? new Dictionary<string, (string? Dead, string? Alive)>()
            : await RunLiveness.JudgeAsync(client, api, leases, runs, options.Force, options.TimeProvider, cancellationToken);
        var unfinished = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (target, ct) =>
        {
            var kind = target is V1Node ? "Node" : "Pod";
            foreach (var problem in Ledger.Unreadable(target.Metadata, key, keyProblem))
            {
                failed.Add($"{kind} {LedgerWrites.Describe(target.Metadata)}: {problem}; it was not acted on");
            }

            foreach (var entry in Ledger.EntriesOf(target.Metadata, key))
            {
                var where = $"{kind} {LedgerWrites.Describe(target.Metadata)}, experiment {entry.Experiment} ({entry.Fault})";
                if (liveness[entry.Experiment] is not { Dead: { } why })
                {
                    skipped.Add($"{where}: {liveness[entry.Experiment].Alive}");
                    continue;
                }

                try
                {
                    // Each entry gets a bounded time: a cluster that keeps failing must not hang the sweep.
                    using var bounded = new CancellationTokenSource(EntryTimeout);
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, bounded.Token);
                    var action = await RecoverAsync(client, api, options, key!, target, entry, linked.Token);
                    recovered.Add($"{where}, {why}: {action}");
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    unfinished[entry.Experiment] = 0;
                    failed.Add($"{where}: {ex.Message}");
                }
            }
        });

        // The Leases of runs taken over and fully recovered go too; one with an entry left stays, marked, for the next sweep.
        await RunLiveness.ReleaseAsync(client, api, leases, liveness.Where(l => l.Value.Dead is not null && !unfinished.ContainsKey(l.Key)).Select(l => l.Key), cancellationToken);

        return new SweepResult
        {
            Recovered = [.. recovered.Order(StringComparer.Ordinal)],
            Skipped = [.. skipped.Order(StringComparer.Ordinal)],
            Failed = [.. failed.Order(StringComparer.Ordinal)],
        };
    }

    private static async Task<string> RecoverAsync(IKubernetes client, ApiCalls api, SweepOptions options, LedgerKey key, IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry, CancellationToken cancellationToken)
    {
        // Recovery is the fault's own code, found by the entry's fault name in the catalog; no fault is special here.
        var fault = FaultCatalog.Find(entry.Fault)
            ?? throw new InvalidOperationException(
                $"unknown fault \"{entry.Fault}\" (known: {string.Join(", ", FaultCatalog.All.Select(f => f.Name))}; written by a newer Chaos.Testing?); the ledger entry stays");
        var restore = fault.Restore
            ?? throw new InvalidOperationException($"fault \"{entry.Fault}\" leaves nothing to recover, so it never writes a ledger entry; this one is not ours and stays");
        await GuardAsync(client, api, options.Safety, target, cancellationToken);
        return await restore.RestoreAsync(new RestoreContext(client, api, TimeProvider.System, options.Custom, options.Safety, key, options.Payloads), target, entry, cancellationToken);
    }

    /// <summary>The experiment guards, applied to what the janitor would write to: anyone who can annotate can write an entry.</summary>
    private static async Task GuardAsync(IKubernetes client, ApiCalls api, SafetyOptions safety, IKubernetesObject<V1ObjectMeta> target, CancellationToken cancellationToken)
    {
        try
        {
            if (target.Metadata.Labels?.TryGetValue(SafetyOptions.ExclusionLabel, out var excluded) == true && excluded == "true")
            {
                throw new ChaosRefusedException($"it is labelled {SafetyOptions.ExclusionLabel}=true.");
            }

            if (target.Metadata.NamespaceProperty is { } ns)
            {
                await Planner.GuardNamespaceAsync(ns, client, api, safety, cancellationToken);
            }
        }
        catch (ChaosRefusedException refused)
        {
            throw new ChaosRefusedException(
                $"the janitor does not act on it, as an experiment would be refused there: {refused.Message} "
                + "If the entry is yours, recover it with SweepOptions.Safety relaxed, or remove it by hand.", refused);
        }
    }
}
