using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>How controllers (the garbage collector, the namespace controller) delete an object of any kind.</summary>
internal static class Deletion
{
    /// <summary>The finalizer that keeps an owner deleted with <c>Foreground</c> propagation until its dependents are gone.</summary>
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>
    /// Deletes as the API server does for a controller's DELETE: pods terminate gracefully; an object with finalizers (or
    /// deleted in the foreground) is only marked, and goes once its last finalizer is removed; anything else goes at once.
    /// </summary>
    public static void Delete(ResourceStore store, StoredObject item, bool foreground = false)
    {
        if (item.Terminating)
        {
            return;
        }

        if (item.Type == ResourceTypes.Pods && !foreground)
        {
            PodLifecycle.DeleteGracefully(store, item);
            return;
        }

        if (foreground)
        {
            var grace = item.Type == ResourceTypes.Pods ? item.Node["spec"]?["terminationGracePeriodSeconds"]?.ToInt64() ?? 30 : 0;
            store.MarkDeleting(item.Type, item, grace, ForegroundFinalizer);
        }
        else if (HasFinalizers(item))
        {
            store.MarkDeleting(item.Type, item, 0);
        }
        else
        {
            store.Remove(item.Type, item.Namespace, item.Name, item.Uid);
        }
    }

    /// <summary>Whether the object names finalizers that someone still has to remove.</summary>
    public static bool HasFinalizers(StoredObject item) => item.Node["metadata"]?["finalizers"] is JsonArray { Count: > 0 };

    /// <summary>Whether the object waits for its dependents (deleted with <c>Foreground</c> propagation).</summary>
    public static bool WaitsForDependents(StoredObject item) =>
        item.Terminating && (item.Node["metadata"]?["finalizers"] as JsonArray ?? []).Any(f => f?.ToString() == ForegroundFinalizer);

    /// <summary>The owners' uids an object names in its ownerReferences.</summary>
    public static IEnumerable<string> OwnerUids(StoredObject item) =>
        (item.Node["metadata"]?["ownerReferences"] as JsonArray ?? []).Select(r => r?["uid"]?.ToString() ?? string.Empty);
}
