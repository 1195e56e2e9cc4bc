using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Cascading deletion. Background: an object whose owners are all gone is deleted. Foreground: the dependents of an
/// owner that waits with the <c>foregroundDeletion</c> finalizer are deleted, and the finalizer is removed (so the owner
/// goes) once none is left. Deleted dependents honour their own finalizers.
/// </summary>
internal sealed class GarbageCollector : IController
{
    private static readonly ResourceType[] OwnedTypes =
        ResourceTypes.All.Where(t => t.Verbs.Contains("list") && t != ResourceTypes.Namespaces).ToArray();

    private readonly ResourceStore _store;

    public GarbageCollector(ResourceStore store) => _store = store;

    public string Name => "garbage-collector";

    public void Reconcile(DateTimeOffset now)
    {
        var failures = new ObjectFailures(Name);
        var all = new List<StoredObject>();
        foreach (var type in OwnedTypes.Concat(_store.CustomTypes()))
        {
            all.AddRange(_store.List(type, null).Items);
        }

        var waiting = all.Where(Deletion.WaitsForDependents).ToDictionary(o => o.Uid, StringComparer.Ordinal);
        var remaining = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in all.Where(o => o.Node["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 }))
        {
            var owners = Deletion.OwnerUids(item).ToList();
            remaining.UnionWith(owners);
            if (!item.Terminating)
            {
                failures.Run(item, () => Collect(item, owners.Any(waiting.ContainsKey)));
            }
        }

        foreach (var owner in waiting.Values.Where(o => !remaining.Contains(o.Uid)))
        {
            failures.Run(owner, () => _store.Mutate(owner.Type, owner.Namespace, owner.Name, o =>
            {
                if (o["metadata"]?["uid"]?.ToString() != owner.Uid || o["metadata"]?["finalizers"] is not JsonArray finalizers)
                {
                    return false;
                }

                foreach (var finalizer in finalizers.Where(f => f?.ToString() == Deletion.ForegroundFinalizer).ToList())
                {
                    finalizers.Remove(finalizer);
                }

                return true;
            }));
        }

        failures.ThrowIfAny();
    }

    private void Collect(StoredObject item, bool ownerWaits)
    {
        if (ownerWaits)
        {
            // The dependents of a foreground deletion go in the foreground too (pods gracefully), so that a chain
            // Deployment → ReplicaSet → Pods is removed from the leaves up.
            Deletion.Delete(_store, item, foreground: item.Type != ResourceTypes.Pods);
            return;
        }

        var owners = item.Node["metadata"]!["ownerReferences"]!.AsArray();
        var alive = owners.Any(r =>
        {
            var ownerType = _store.FindTypeByKind(r?["apiVersion"]?.ToString() ?? string.Empty, r?["kind"]?.ToString() ?? string.Empty);
            return ownerType is null // an owner kind the emulator does not serve is assumed alive
                   || _store.Get(ownerType, ownerType.Namespaced ? item.Namespace : null, r!["name"]!.ToString())?.Uid == r["uid"]?.ToString();
        });
        if (!alive)
        {
            Deletion.Delete(_store, item);
        }
    }
}
