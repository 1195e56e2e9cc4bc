using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>Ownership and children, shared by the workload controllers (Deployment, ReplicaSet, StatefulSet, DaemonSet).</summary>
internal static class Workloads
{
    /// <summary>A pod from the owner's template, controlled by the owner; named, or with a name to generate.</summary>
    public static JsonObject PodFromTemplate(StoredObject owner, string? generateName, string? name)
    {
        var template = owner.Node["spec"]!["template"]!;
        var metadata = new JsonObject
        {
            ["namespace"] = owner.Namespace,
            ["labels"] = template["metadata"]?["labels"]?.DeepClone() ?? new JsonObject(),
            ["ownerReferences"] = OwnerReference(owner),
        };
        if (template["metadata"]?["annotations"] is JsonObject annotations)
        {
            metadata["annotations"] = annotations.DeepClone();
        }

        if (name is not null)
        {
            metadata["name"] = name;
        }
        else
        {
            metadata["generateName"] = generateName;
        }

        return new JsonObject { ["metadata"] = metadata, ["spec"] = template["spec"]!.DeepClone() };
    }

    /// <summary>
    /// Creates a child through admission, as the API server would; nothing is created in a namespace that is gone or
    /// terminating, and a name still taken is tried again on the next pass.
    /// </summary>
    public static void CreateChild(ResourceStore store, Admission admission, ResourceType type, JsonObject obj)
    {
        if (store.Get(ResourceTypes.Namespaces, null, obj["metadata"]!["namespace"]!.ToString()) is not { Terminating: false })
        {
            return;
        }

        admission.Apply(type, obj);
        try
        {
            store.Create(type, obj);
        }
        catch (ApiException ex) when (ex.Code == 409)
        {
            // A StatefulSet pod whose predecessor is still terminating: the next pass tries again.
        }
    }

    /// <summary>The owner reference of a controlled child.</summary>
    public static JsonArray OwnerReference(StoredObject owner) =>
        new(new JsonObject
        {
            ["apiVersion"] = owner.Type.ApiVersion,
            ["kind"] = owner.Type.Kind,
            ["name"] = owner.Name,
            ["uid"] = owner.Uid,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });

    /// <summary>Whether the child's controlling owner reference names this owner (by uid).</summary>
    public static bool IsControlledBy(StoredObject child, StoredObject owner) =>
        (child.Node["metadata"]?["ownerReferences"] as JsonArray ?? [])
        .Any(r => r?["uid"]?.ToString() == owner.Uid && JsonNumbers.IsTrue(r["controller"]));
}
