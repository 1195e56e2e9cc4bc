using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Patching;

/// <summary>Applies RFC 7386 JSON Merge Patch documents to <see cref="JsonNode"/> trees.</summary>
internal static class MergePatch
{
    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="target"/>: null deletes a member, objects merge
    /// recursively and any other value replaces. The inputs are never mutated.
    /// </summary>
    /// <param name="target">The document to patch; may be null.</param>
    /// <param name="patch">The merge patch.</param>
    /// <returns>The patched document.</returns>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        MergeInto(result, patchObject);
        return result;
    }

    private static void MergeInto(JsonObject result, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            switch (value)
            {
                case null:
                    result.Remove(key);
                    break;
                case JsonObject patchChild:
                    if (result.TryGetPropertyValue(key, out var existing) && existing is JsonObject existingChild)
                    {
                        MergeInto(existingChild, patchChild);
                    }
                    else
                    {
                        var created = new JsonObject();
                        MergeInto(created, patchChild);
                        result[key] = created;
                    }

                    break;
                default:
                    result[key] = value.DeepClone();
                    break;
            }
        }
    }
}
