using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// How a fault's change is undone from its ledger entry alone, after the run that made it is gone (the janitor), and by
/// the same code a live run recovers with.
/// </summary>
internal interface ICrashRestore
{
    /// <summary>Restores what <paramref name="entry"/> recorded on <paramref name="target"/> and removes the entry.</summary>
    /// <param name="context">The cluster and the janitor's configuration.</param>
    /// <param name="target">The pod or node that carries the entry, as listed.</param>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Bounds the restore.</param>
    /// <returns>What was done, e.g. <c>uncordoned</c>.</returns>
    Task<string> RestoreAsync(RestoreContext context, IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry, CancellationToken cancellationToken);
}

/// <summary>What a crash restore may use.</summary>
/// <param name="Client">The cluster.</param>
/// <param name="Api">Calls with retries and clear errors.</param>
/// <param name="Time">Real time for retries and bounds.</param>
/// <param name="CustomRecoveries">The recoveries of custom faults, by name, registered with the janitor.</param>
internal sealed record RestoreContext(
    IKubernetes Client,
    ApiCalls Api,
    TimeProvider Time,
    IReadOnlyDictionary<string, Func<CustomFaultContext, CancellationToken, Task>> CustomRecoveries);
