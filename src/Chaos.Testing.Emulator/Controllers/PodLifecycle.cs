using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>What several controllers ask of a pod, and how they all delete one.</summary>
internal static class PodLifecycle
{
    /// <summary>The node the pod is bound to, or empty while it is pending.</summary>
    public static string NodeOf(StoredObject pod) => pod.Node["spec"]?["nodeName"]?.ToString() ?? string.Empty;

    /// <summary>Whether the pod counts towards its owner's replicas: not terminating and not ended.</summary>
    public static bool IsActive(StoredObject pod) =>
        !pod.Terminating && pod.Node["status"]?["phase"]?.ToString() is not ("Succeeded" or "Failed");

    /// <summary>
    /// Deletes as a controller does: a bound pod is marked for deletion with its grace period (the kubelet ends it), a
    /// pod no kubelet runs yet is removed at once (once its finalizers are gone).
    /// </summary>
    public static void DeleteGracefully(ResourceStore store, StoredObject pod)
    {
        if (pod.Terminating)
        {
            return;
        }

        var grace = pod.Node["spec"]?["terminationGracePeriodSeconds"]?.ToInt64() ?? 30;
        if (string.IsNullOrEmpty(NodeOf(pod)) && !Deletion.HasFinalizers(pod))
        {
            store.Remove(ResourceTypes.Pods, pod.Namespace, pod.Name, pod.Uid);
            return;
        }

        store.MarkDeleting(ResourceTypes.Pods, pod, string.IsNullOrEmpty(NodeOf(pod)) ? 0 : grace);
    }
}
