using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Namespace deletion: a terminating namespace has everything in it deleted (pods gracefully, objects with finalizers once these are removed, the rest at once) and is
/// removed once it is empty and has no finalizers left.
/// </summary>
internal sealed class NamespaceController : IController
{
    /// <summary>The namespaced types that can be listed: what a namespace (or an owner) can hold.</summary>
    internal static readonly ResourceType[] NamespacedTypes = ResourceTypes.All.Where(t => t.Namespaced && t.Verbs.Contains("list")).ToArray();

    private readonly ResourceStore _store;

    public NamespaceController(ResourceStore store) => _store = store;

    public string Name => "namespace";

    public void Reconcile(DateTimeOffset now)
    {
        var (terminating, _) = _store.List(ResourceTypes.Namespaces, null, n => n.Terminating);
        ObjectFailures.ForEach(Name, terminating, Finish);
    }

    private void Finish(StoredObject ns)
    {
        var remaining = 0;
        foreach (var type in NamespacedTypes.Concat(_store.CustomTypes().Where(t => t.Namespaced)))
        {
            var (items, _) = _store.List(type, ns.Name);
            remaining += items.Count;
            foreach (var item in items.Where(i => !i.Terminating))
            {
                Deletion.Delete(_store, item);
            }
        }

        if (remaining == 0 && ns.Node["metadata"]?["finalizers"] is not JsonArray { Count: > 0 })
        {
            _store.Remove(ResourceTypes.Namespaces, null, ns.Name, ns.Uid);
        }
    }
}
