using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Storage;

/// <summary>
/// What the API server's registry strategies add to what is stored: a Secret's stringData becomes data; on create, once
/// the object has its uid (PrepareForCreate), a Job
/// without <c>manualSelector</c> selects its pods by that uid, and its pod template carries the matching labels.
/// </summary>
internal static class CreateStrategy
{
    /// <summary>A Secret's <c>stringData</c> is written into <c>data</c> (base64) and not stored, on create and update.</summary>
    public static void Normalize(ResourceType type, JsonObject obj)
    {
        if (type != ResourceTypes.Secrets || obj["stringData"] is not JsonObject stringData)
        {
            return;
        }

        if (obj["data"] is not JsonObject data)
        {
            data = [];
            obj["data"] = data;
        }

        foreach (var (key, value) in stringData)
        {
            data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.ToString() ?? string.Empty));
        }

        obj.Remove("stringData");
    }

    /// <summary>The finalizer with which a CustomResourceDefinition waits for its custom resources to be deleted.</summary>
    public const string CustomResourceCleanup = "customresourcecleanup.apiextensions.k8s.io";

    public static void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        if (type.IsCustom)
        {
            // A custom resource always has a generation; with a status subresource, what a create sends as status is dropped.
            obj["metadata"]!["generation"] = 1;
            if (type.HasStatus)
            {
                obj.Remove("status");
            }

            return;
        }

        if (type == ResourceTypes.CustomResourceDefinitions)
        {
            var metadata = obj["metadata"]!.AsObject();
            if (metadata["finalizers"] is not JsonArray finalizers)
            {
                finalizers = [];
                metadata["finalizers"] = finalizers;
            }

            if (!finalizers.Any(f => f?.ToString() == CustomResourceCleanup))
            {
                finalizers.Add(CustomResourceCleanup);
            }

            return;
        }

        if (type != ResourceTypes.Jobs || obj["spec"] is not JsonObject spec || JsonNumbers.IsTrue(spec["manualSelector"]))
        {
            return;
        }

        var uid = obj["metadata"]!["uid"]!.ToString();
        var name = obj["metadata"]!["name"]!.ToString();
        spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
        if (spec["template"] is JsonObject template)
        {
            if (template["metadata"] is not JsonObject metadata)
            {
                metadata = [];
                template["metadata"] = metadata;
            }

            if (metadata["labels"] is not JsonObject labels)
            {
                labels = [];
                metadata["labels"] = labels;
            }

            labels["batch.kubernetes.io/controller-uid"] = uid;
            labels["batch.kubernetes.io/job-name"] = name;
            labels["controller-uid"] = uid;
            labels["job-name"] = name;
        }
    }
}
