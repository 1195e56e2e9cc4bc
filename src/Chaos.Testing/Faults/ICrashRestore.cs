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
/// <param name="Safety">The guards: a restore that would write in a namespace they protect is refused.</param>
/// <param name="Key">The ledger key: the entry was verified with it, and a re-read entry is verified again.</param>
/// <param name="Payloads">The payload configuration of the sweep (images, node payload namespace); null for the defaults in code.</param>
internal sealed record RestoreContext(
    IKubernetes Client,
    ApiCalls Api,
    TimeProvider Time,
    IReadOnlyDictionary<string, Func<CustomFaultContext, CancellationToken, Task>> CustomRecoveries,
    SafetyOptions Safety,
    LedgerKey Key,
    PayloadConfiguration? Payloads = null)
{
    /// <summary>
    /// <paramref name="target"/> as the kind its fault acts on; an entry on another kind is not one its fault wrote, and
    /// is refused before anything is written.
    /// </summary>
    public static T TargetOf<T>(IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        target as T ?? throw new InvalidDataException(
            $"fault {entry.Fault} acts on {typeof(T).Name[2..]}s, but this entry is on a {target.Kind ?? target.GetType().Name[2..]}; the entry stays");
}
