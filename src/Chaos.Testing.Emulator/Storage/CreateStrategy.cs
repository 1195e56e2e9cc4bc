using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Storage;

/// <summary>
/// What the API server's registry strategies add on create once the object has its uid (PrepareForCreate): a Job
/// without <c>manualSelector</c> selects its pods by that uid, and its pod template carries the matching labels.
/// </summary>
internal static class CreateStrategy
{
    public static void PrepareForCreate(ResourceType type, JsonObject obj)
    {
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
