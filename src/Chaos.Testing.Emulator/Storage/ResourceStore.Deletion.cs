using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Storage;

/// <content>Deletion: marking an object as being deleted, and removing it.</content>
internal sealed partial class ResourceStore
{
    /// <summary>
    /// Marks an object as being deleted (graceful deletion or pending finalizers), adding <paramref name="finalizer"/>
    /// (<c>foregroundDeletion</c>) when given.
    /// </summary>
    public StoredObject MarkDeleting(ResourceType type, StoredObject current, long gracePeriodSeconds, string? finalizer = null)
    {
        lock (_gate)
        {
            var live = Bucket(type).GetValueOrDefault(current.Key) ?? throw ApiException.NotFound(type, current.Name);
            if (live.Terminating)
            {
                return live;
            }

            var obj = live.Clone();
            var metadata = Metadata(obj);
            metadata["deletionTimestamp"] = Timestamps.Format(_time.GetUtcNow().AddSeconds(gracePeriodSeconds));
            metadata["deletionGracePeriodSeconds"] = gracePeriodSeconds;
            if (finalizer is not null)
            {
                if (metadata["finalizers"] is not JsonArray finalizers)
                {
                    finalizers = [];
                    metadata["finalizers"] = finalizers;
                }

                if (!finalizers.Any(f => f?.ToString() == finalizer))
                {
                    finalizers.Add(finalizer);
                }
            }

            return Commit(type, obj, live, StoreEvent.Modified);
        }
    }

    /// <summary>Removes an object now. Returns the removed version, or null when it was already gone.</summary>
    public StoredObject? Remove(ResourceType type, string? ns, string name, string? uid = null)
    {
        lock (_gate)
        {
            var current = Bucket(type).GetValueOrDefault(Key(type, ns, name));
            if (current is null || (uid is not null && current.Uid != uid))
            {
                return null;
            }

            return RemoveLocked(type, current);
        }
    }

    private StoredObject RemoveLocked(ResourceType type, StoredObject current)
    {
        Bucket(type).Remove(current.Key);
        var obj = current.Clone();
        Metadata(obj)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        var removed = new StoredObject(type, obj);
        Publish(new StoreEvent(StoreEvent.Deleted, removed, current));
        return removed;
    }
}
