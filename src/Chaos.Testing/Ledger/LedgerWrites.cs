using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Ledger-aware writes shared by every stateful fault: change + ledger entry in one write; restore + removal in one write.</summary>
internal static class LedgerWrites
{
    /// <summary>Read-modify-write of a pod or a node (409 → re-read, re-apply). Null when the object is gone.</summary>
    public static async Task<T?> UpdateAsync<T>(IKubernetes client, ApiCalls api, T target, Func<T, bool> change, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        object? written = target switch
        {
            V1Pod pod => await ObjectWrites.UpdatePodAsync(client, api, pod.Metadata.NamespaceProperty, pod.Metadata.Name, p => change((T)(object)p), cancellationToken),
            V1Node node => await ObjectWrites.UpdateNodeAsync(client, api, node.Metadata.Name, n => change((T)(object)n), cancellationToken),
            _ => throw new NotSupportedException($"The ledger supports pods and nodes, not {target.GetType().Name}."),
        };
        return (T?)written;
    }

    /// <summary>Removes the ledger entry of <paramref name="experimentId"/> from a pod or node (after what it recorded was recovered), retrying transient errors.</summary>
    public static Task RemoveEntryAsync<T>(IKubernetes client, ApiCalls api, TimeProvider time, T target, string experimentId, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        UntilDoneAsync(time, async () => await UpdateAsync(client, api, target, current =>
        {
            if (!Ledger.Has(current.Metadata, experimentId))
            {
                return false;
            }

            Ledger.Remove(current.Metadata, experimentId);
            return true;
        }, cancellationToken), cancellationToken);

    /// <summary>Runs <paramref name="action"/> again after transient failures (each already retried by <see cref="ApiCalls"/>) until it succeeds or the token ends.</summary>
    public static async Task UntilDoneAsync(TimeProvider time, Func<Task> action, CancellationToken cancellationToken, bool retryConflicts = false)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await action();
                return;
            }
            catch (Exception ex) when ((ApiCalls.IsTransient(ex) || (retryConflicts && ApiCalls.IsConflict(ex))) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }
    }

    public static string Describe(V1ObjectMeta metadata) => metadata.NamespaceProperty is null ? metadata.Name : $"{metadata.NamespaceProperty}/{metadata.Name}";
}
