using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>Background cascading deletion: an object whose owners are all gone is deleted.</summary>
internal sealed class GarbageCollector : IController
{
    private readonly ResourceStore _store;

    public GarbageCollector(ResourceStore store) => _store = store;

    public string Name => "garbage-collector";

    public void Reconcile(DateTimeOffset now)
    {
        var failures = new ObjectFailures(Name);
        foreach (var type in NamespaceController.NamespacedTypes)
        {
            var (items, _) = _store.List(type, null, o => !o.Terminating && o.Node["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 });
            foreach (var item in items)
            {
                failures.Run(item, () => Collect(type, item));
            }
        }

        failures.ThrowIfAny();
    }

    private void Collect(ResourceType type, StoredObject item)
    {
        var owners = item.Node["metadata"]!["ownerReferences"]!.AsArray();
        var alive = owners.Any(r =>
        {
            var ownerType = ResourceTypes.FindByKind(r?["apiVersion"]?.ToString() ?? string.Empty, r?["kind"]?.ToString() ?? string.Empty);
            return ownerType is null // an owner kind the emulator does not serve is assumed alive
                   || _store.Get(ownerType, ownerType.Namespaced ? item.Namespace : null, r!["name"]!.ToString())?.Uid == r["uid"]?.ToString();
        });
        if (alive)
        {
            return;
        }

        if (type == ResourceTypes.Pods)
        {
            PodLifecycle.DeleteGracefully(_store, item);
        }
        else
        {
            _store.Remove(type, item.Namespace, item.Name, item.Uid);
        }
    }
}
