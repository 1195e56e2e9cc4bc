using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Read-modify-write with optimistic concurrency: the object is read, changed in memory and replaced with its
/// resourceVersion; a 409 (someone wrote in between) re-reads and re-applies the change. Transient errors are
/// retried by <see cref="ApiCalls"/>. Every change passed in must be idempotent (it is re-applied on a fresh read).
/// </summary>
internal static class ObjectWrites
{
    /// <summary>How many conflicts in a row one write survives before it gives up.</summary>
    public const int MaxConflicts = 20;

    /// <summary>Changes a pod. Returns the pod as written (or as read when <paramref name="change"/> had nothing to do), or null when it does not exist.</summary>
    public static Task<V1Pod?> UpdatePodAsync(IKubernetes client, ApiCalls api, string ns, string name, Func<V1Pod, bool> change, CancellationToken cancellationToken) =>
        UpdateAsync(
            api, "pods", ns, name,
            ct => client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: ct),
            change,
            (pod, ct) => client.CoreV1.ReplaceNamespacedPodAsync(pod, name, ns, cancellationToken: ct),
            cancellationToken);

    /// <summary>Changes a node. Returns the node as written (or as read), or null when it does not exist.</summary>
    public static Task<V1Node?> UpdateNodeAsync(IKubernetes client, ApiCalls api, string name, Func<V1Node, bool> change, CancellationToken cancellationToken) =>
        UpdateAsync(
            api, "nodes", null, name,
            ct => client.CoreV1.ReadNodeAsync(name, cancellationToken: ct),
            change,
            (node, ct) => client.CoreV1.ReplaceNodeAsync(node, name, cancellationToken: ct),
            cancellationToken);

    private static async Task<T?> UpdateAsync<T>(
        ApiCalls api,
        string resource,
        string? ns,
        string name,
        Func<CancellationToken, Task<T>> read,
        Func<T, bool> change,
        Func<T, CancellationToken, Task<T>> replace,
        CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            T current;
            try
            {
                current = await api.CallAsync("get", resource, ns, read, cancellationToken);
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex))
            {
                return null;
            }

            if (!change(current))
            {
                return current;
            }

            try
            {
                return await api.CallAsync("update", resource, ns, ct => replace(current, ct), cancellationToken);
            }
            catch (Exception ex) when (ApiCalls.IsConflict(ex) && attempt < MaxConflicts)
            {
                // Someone (a controller, another test, an injected 409) wrote in between: read again, change again.
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex))
            {
                return null;
            }
            catch (Exception ex) when (ApiCalls.IsConflict(ex))
            {
                throw new InvalidOperationException(
                    $"Could not update {resource} {(ns is null ? name : $"{ns}/{name}")}: {MaxConflicts} conflicts (409) in a row, another writer keeps changing it.", ex);
            }
        }
    }

    /// <summary>Whether this very pod (same uid) still exists and is not being deleted: a 409 on its delete was then not a failed precondition.</summary>
    public static async Task<bool> IsStillThereAsync(IKubernetes client, ApiCalls api, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            var current = await api.CallAsync("get", "pods", pod.Metadata.NamespaceProperty,
                c => client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: c), cancellationToken);
            return current.Metadata.Uid == pod.Metadata.Uid && current.Metadata.DeletionTimestamp is null;
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            return false;
        }
    }
}
