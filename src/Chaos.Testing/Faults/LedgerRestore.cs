using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// The restore of a fault that changed its targets in place: read the target, undo the change from the typed record,
/// remove the entry, write both at once (409 → re-read). The live run and the janitor use the same code.
/// </summary>
/// <typeparam name="T">The target type (pod or node).</typeparam>
/// <typeparam name="TRecord">The fault's recovery record.</typeparam>
/// <param name="kind">The target kind as results name it, e.g. <c>Node</c>.</param>
/// <param name="restore">Undoes the change on the target (given the record and the whole entry); returns what it did.</param>
internal sealed class LedgerRestore<T, TRecord>(string kind, Func<T, TRecord, LedgerEntry, string> restore) : ICrashRestore
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TRecord : class
{
    /// <summary>Undoes <paramref name="entry"/>'s change on <paramref name="target"/> in memory; returns what it did.</summary>
    public string Apply(T target, LedgerEntry entry) => restore(target, LedgerRecord.Read<TRecord>(entry), entry);

    /// <inheritdoc/>
    public async Task<string> RestoreAsync(RestoreContext context, IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry, CancellationToken cancellationToken)
    {
        var typed = RestoreContext.TargetOf<T>(target, entry);
        // The record is checked before anything is written.
        LedgerRecord.Read<TRecord>(entry);
        var action = await RestoreOneAsync(context.Client, context.Api, context.Time, context.Key, typed, entry.Experiment, cancellationToken);
        return action ?? "already recovered";
    }

    /// <summary>
    /// For each target that carries this run's entry: undo, remove the entry, write both at once. Transient failures are
    /// retried until <paramref name="cancellationToken"/> (the recovery deadline); whatever is still changed at the end is
    /// named in a <see cref="RecoveryException"/>.
    /// </summary>
    public async Task RecoverAsync(FaultContext context, IReadOnlyList<T> targets, CancellationToken cancellationToken)
    {
        var left = new ConcurrentBag<string>();
        Exception? lastError = null;
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (target, _) =>
        {
            try
            {
                if (await RestoreOneAsync(context.Client, context.Api, context.Time, context.Key!, target, context.ExperimentId, cancellationToken) is { } action)
                {
                    context.Recorder.Affected(kind, target.Metadata.NamespaceProperty, target.Metadata.Name, action);
                }
            }
            catch (Exception ex)
            {
                lastError = ex;
                left.Add($"{kind} {LedgerWrites.Describe(target.Metadata)} ({ex.Message})");
            }
        });

        if (!left.IsEmpty)
        {
            throw new RecoveryException([.. left.Order(StringComparer.Ordinal)], lastError);
        }
    }

    private async Task<string?> RestoreOneAsync(IKubernetes client, ApiCalls api, TimeProvider time, LedgerKey key, T target, string experimentId, CancellationToken cancellationToken)
    {
        string? action = null;
        await LedgerWrites.UntilDoneAsync(time, async () => await LedgerWrites.UpdateAsync(client, api, target, current =>
        {
            action = null;
            // Re-read and verified again: what is restored is what this library sealed for this object, nothing else.
            if (Ledger.EntryOf(current.Metadata, experimentId, key) is not { } fresh)
            {
                return false;
            }

            action = Apply(current, fresh);
            Ledger.Remove(current.Metadata, experimentId);
            return true;
        }, cancellationToken), cancellationToken);
        return action;
    }
}
