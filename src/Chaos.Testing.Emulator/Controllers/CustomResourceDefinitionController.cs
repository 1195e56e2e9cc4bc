using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// CustomResourceDefinitions: a new one has its names accepted and is Established (its resources are served from the
/// moment it is stored); one being deleted has its custom resources deleted (honouring their finalizers) and loses the
/// <c>customresourcecleanup</c> finalizer once none is left.
/// </summary>
internal sealed class CustomResourceDefinitionController : IController
{
    private readonly ResourceStore _store;

    public CustomResourceDefinitionController(ResourceStore store) => _store = store;

    public string Name => "customresourcedefinition";

    public void Reconcile(DateTimeOffset now)
    {
        var (crds, _) = _store.List(ResourceTypes.CustomResourceDefinitions, null);
        ObjectFailures.ForEach(Name, crds, crd =>
        {
            if (crd.Terminating)
            {
                CleanUp(crd);
            }
            else
            {
                Establish(crd, now);
            }
        });
    }

    private void Establish(StoredObject crd, DateTimeOffset now) =>
        _store.Mutate(ResourceTypes.CustomResourceDefinitions, null, crd.Name, o =>
        {
            var previous = o["status"]?["conditions"] as JsonArray ?? [];
            string Since(string type) =>
                previous.FirstOrDefault(c => c?["type"]?.ToString() == type && c["status"]?.ToString() == "True")?["lastTransitionTime"]?.ToString()
                ?? Timestamps.Format(now);
            var versions = (o["spec"]?["versions"] as JsonArray ?? []).Where(v => JsonNumbers.IsTrue(v?["storage"])).Select(v => (JsonNode)v!["name"]!.ToString()).ToArray();
            var stored = o["status"]?["storedVersions"] as JsonArray ?? [];
            foreach (var version in versions.Where(v => !stored.Any(s => s?.ToString() == v!.ToString())))
            {
                stored.Add(version!.ToString());
            }

            return ObjectStatus.Set(o, new JsonObject
            {
                ["conditions"] = new JsonArray(
                    Condition("NamesAccepted", "NoConflicts", "no conflicts found", Since("NamesAccepted")),
                    Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", Since("Established"))),
                ["acceptedNames"] = o["spec"]?["names"]?.DeepClone(),
                ["storedVersions"] = stored.DeepClone(),
            });
        });

    private void CleanUp(StoredObject crd)
    {
        var remaining = 0;
        foreach (var type in CustomResourceTypes.Of(crd.Node))
        {
            var (items, _) = _store.List(type, null);
            remaining += items.Count;
            foreach (var item in items)
            {
                Deletion.Delete(_store, item);
            }
        }

        if (remaining > 0)
        {
            return;
        }

        _store.Mutate(ResourceTypes.CustomResourceDefinitions, null, crd.Name, o =>
        {
            if (o["metadata"]?["uid"]?.ToString() != crd.Uid || o["metadata"]?["finalizers"] is not JsonArray finalizers)
            {
                return false;
            }

            foreach (var finalizer in finalizers.Where(f => f?.ToString() == CreateStrategy.CustomResourceCleanup).ToList())
            {
                finalizers.Remove(finalizer);
            }

            return true;
        });
    }

    private static JsonObject Condition(string type, string reason, string message, string since) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = since,
        ["reason"] = reason,
        ["message"] = message,
    };
}
