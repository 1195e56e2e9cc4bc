using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// The janitor's judgement of whether the runs that wrote ledger entries are alive, through their Leases
/// (<see cref="RunLease"/>) and never through clocks, host names or process ids: a run of this process that is running is
/// alive; a run with no Lease is gone; a run whose Lease shows no renewal over the Lease's duration, measured on the
/// janitor's own clock, is gone once the janitor has taken its Lease (a delete with the observed resourceVersion as
/// precondition, which fails if the run renewed meanwhile).
/// </summary>
internal static class RunLiveness
{
    private const int LongestLeaseSeconds = 300;

    /// <summary>For each experiment: why its entries may be recovered now, or null with why not.</summary>
    public static async Task<IReadOnlyDictionary<string, (string? Dead, string? Alive)>> JudgeAsync(
        IKubernetes client, ApiCalls api, string ns, IEnumerable<string> experiments, bool force, TimeProvider clock, CancellationToken cancellationToken)
    {
        var verdicts = new ConcurrentDictionary<string, (string? Dead, string? Alive)>(StringComparer.Ordinal);
        var observed = new ConcurrentDictionary<string, (string ResourceVersion, int Seconds)>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(experiments.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var name = RunLease.NameOf(id);
            if (force)
            {
                await TakeAsync(client, api, ns, name, resourceVersion: null, ct);
                verdicts[id] = ("forced", null);
                return;
            }

            if (Ledger.IsActiveHere(id))
            {
                verdicts[id] = (null, "its run is running in this process");
                return;
            }

            V1Lease lease;
            try
            {
                lease = await api.CallAsync("get", "leases", ns, c => client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: c), ct);
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex))
            {
                verdicts[id] = ("its run holds no Lease (it has ended)", null);
                return;
            }

            // The Lease is input like anything read from the cluster: one that is not what a run writes is reported, and the entry left.
            if (lease.Spec?.HolderIdentity != id || lease.Spec.LeaseDurationSeconds is not (>= 1 and <= LongestLeaseSeconds))
            {
                verdicts[id] = (null,
                    $"its Lease {ns}/{name} is not what a run writes (spec.holderIdentity must be \"{id}\", is \"{lease.Spec?.HolderIdentity}\"; "
                    + $"spec.leaseDurationSeconds must be 1–{LongestLeaseSeconds}, is {lease.Spec?.LeaseDurationSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}), "
                    + "so whether the run is alive is unknown; delete the Lease if the run is gone, and sweep again");
                return;
            }

            // A Lease marked taken by an earlier sweep is judged like any other: its run stopped renewing when it saw the mark.
            observed[id] = (lease.Metadata.ResourceVersion, lease.Spec.LeaseDurationSeconds.Value);
        });

        if (!observed.IsEmpty)
        {
            // One wait for all: the longest Lease duration observed, plus a margin, on the janitor's own clock.
            await Task.Delay(TimeSpan.FromSeconds(observed.Values.Max(o => o.Seconds) + 1), clock, cancellationToken);
            await Parallel.ForEachAsync(observed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (pair, ct) =>
            {
                var (id, (resourceVersion, seconds)) = pair;
                verdicts[id] = await TakeAsync(client, api, ns, RunLease.NameOf(id), resourceVersion, ct)
                    ? ($"its Lease was not renewed for {seconds + 1}s", null)
                    : (null, $"its run renews its Lease {ns}/{RunLease.NameOf(id)}");
            });
        }

        return verdicts;
    }

    /// <summary>
    /// Marks a run's Lease taken (who, when), conditioned on <paramref name="resourceVersion"/> when given; false when the run
    /// renewed it meanwhile. The run sees the mark at its next renewal or when it ends.
    /// </summary>
    private static async Task<bool> TakeAsync(IKubernetes client, ApiCalls api, string ns, string name, string? resourceVersion, CancellationToken cancellationToken)
    {
        try
        {
            var lease = await api.CallAsync("get", "leases", ns, c => client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: c), cancellationToken);
            if (resourceVersion is not null && lease.Metadata.ResourceVersion != resourceVersion)
            {
                return false;
            }

            lease.Metadata.Annotations ??= new Dictionary<string, string>();
            lease.Metadata.Annotations[RunLease.TakenAnnotation] = $"the janitor of {Ledger.Owner} at {TimeProvider.System.GetUtcNow():u}";
            await api.CallAsync("update", "leases", ns, c => client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: c), cancellationToken);
            return true;
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            return true;
        }
        catch (Exception ex) when (ApiCalls.IsConflict(ex))
        {
            return false;
        }
    }

    /// <summary>Removes the Leases of runs the janitor took over and fully recovered (a Lease that is gone already is fine).</summary>
    public static async Task ReleaseAsync(IKubernetes client, ApiCalls api, string ns, IEnumerable<string> experiments, CancellationToken cancellationToken)
    {
        foreach (var id in experiments)
        {
            try
            {
                await api.CallAsync("delete", "leases", ns, c => client.CoordinationV1.DeleteNamespacedLeaseAsync(RunLease.NameOf(id), ns, cancellationToken: c), cancellationToken);
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex))
            {
                // Never had one, or removed already.
            }
        }
    }
}
