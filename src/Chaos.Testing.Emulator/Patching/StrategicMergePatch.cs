using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Patching;

/// <summary>
/// Applies the subset of Kubernetes strategic merge patch that kubectl and client libraries send for the
/// core and apps kinds. It behaves like JSON merge patch, except that lists at known fields merge by a key
/// (see <see cref="StrategicMergeKeys"/>) and the <c>$patch</c>, <c>$retainKeys</c>,
/// <c>$setElementOrder/</c> and <c>$deleteFromPrimitiveList/</c> directives are honoured.
/// </summary>
internal static partial class StrategicMergePatch
{
    private const string PatchDirective = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string SetElementOrderPrefix = "$setElementOrder/";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="target"/>. The inputs are never mutated.
    /// </summary>
    /// <param name="target">The current object; a missing or non-object target is treated as <c>{}</c>.</param>
    /// <param name="patch">The strategic merge patch; must be a JSON object.</param>
    /// <param name="kind">The Kubernetes kind of the target (e.g. <c>Pod</c>, <c>Service</c>).</param>
    /// <returns>The patched object.</returns>
    /// <exception cref="PatchException">The patch is malformed.</exception>
    public static JsonNode? Apply(JsonNode? target, JsonNode patch, string kind)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (patch is not JsonObject patchObject)
        {
            throw new PatchException("strategic merge patch must be a JSON object");
        }

        var original = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        return MergeMap(original, patchObject, string.Empty, kind ?? string.Empty) ?? new JsonObject();
    }

    /// <summary>
    /// Merges <paramref name="patch"/> into <paramref name="original"/> (modified in place when possible).
    /// Returns the merged map, which may be a new object for <c>$patch: replace</c>, or null when the map is
    /// deleted by <c>$patch: delete</c>.
    /// </summary>
    private static JsonObject? MergeMap(JsonObject original, JsonObject patch, string path, string kind)
    {
        var directive = ReadPatchDirective(patch, path);
        if (directive == "delete")
        {
            return null;
        }

        var result = directive == "replace" ? new JsonObject() : original;

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                DeleteFromPrimitiveList(result, key[DeleteFromPrimitiveListPrefix.Length..], value, path);
            }
        }

        foreach (var (key, value) in patch)
        {
            if (IsDirective(key))
            {
                continue;
            }

            MergeField(result, key, value, path, kind);
        }

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                SetElementOrder(result, key[SetElementOrderPrefix.Length..], value, path);
            }
        }

        if (patch.TryGetPropertyValue(RetainKeysDirective, out var retainKeys))
        {
            RetainKeys(result, retainKeys, path);
        }

        return result;
    }

    private static void MergeField(JsonObject result, string key, JsonNode? value, string path, string kind)
    {
        result.TryGetPropertyValue(key, out var existing);
        switch (value)
        {
            case null:
                result.Remove(key);
                break;
            case JsonObject patchMap:
                var existingMap = existing as JsonObject;
                var mergedMap = MergeMap(existingMap ?? new JsonObject(), patchMap, path + "/" + key, kind);
                if (mergedMap is null)
                {
                    result.Remove(key);
                }
                else if (!ReferenceEquals(mergedMap, existingMap))
                {
                    result[key] = mergedMap;
                }

                break;
            case JsonArray patchList:
                var existingList = existing as JsonArray;
                var mergedList = MergeList(existingList, patchList, key, path, kind);
                if (!ReferenceEquals(mergedList, existingList))
                {
                    result[key] = mergedList;
                }

                break;
            default:
                result[key] = value.DeepClone();
                break;
        }
    }

    private static JsonArray MergeList(JsonArray? original, JsonArray patch, string field, string path, string kind)
    {
        var mergeKey = StrategicMergeKeys.Resolve(field, path, kind);
        var primitive = StrategicMergeKeys.IsMergedPrimitiveList(field, path);
        if (mergeKey is null && !primitive)
        {
            return (JsonArray)patch.DeepClone();
        }

        var elementPath = path + "/" + field + "[]";
        if (HasReplaceDirective(patch, elementPath))
        {
            var replacement = new JsonArray();
            foreach (var element in patch)
            {
                if (element is JsonObject map && map.ContainsKey(PatchDirective))
                {
                    continue;
                }

                replacement.Add(element is JsonObject elementMap
                    ? MergeMap(new JsonObject(), elementMap, elementPath, kind)
                    : element?.DeepClone());
            }

            return replacement;
        }

        var result = original ?? new JsonArray();
        if (mergeKey is null)
        {
            MergePrimitiveList(result, patch, field, path);
        }
        else
        {
            MergeKeyedList(result, patch, mergeKey, elementPath, kind);
        }

        return result;
    }

    private static void MergePrimitiveList(JsonArray result, JsonArray patch, string field, string path)
    {
        foreach (var element in patch)
        {
            if (element is JsonObject or JsonArray)
            {
                throw new PatchException(
                    $"strategic merge patch at '{path}/{field}': expected a list of primitive values");
            }

            if (!result.Any(existing => JsonEquality.AreEqual(existing, element)))
            {
                result.Add(element?.DeepClone());
            }
        }
    }

    private static void MergeKeyedList(JsonArray result, JsonArray patch, string mergeKey, string elementPath, string kind)
    {
        foreach (var element in patch)
        {
            if (element is not JsonObject patchElement)
            {
                throw new PatchException(
                    $"strategic merge patch at '{elementPath}': list elements must be objects with merge key '{mergeKey}'");
            }

            if (!patchElement.TryGetPropertyValue(mergeKey, out var keyValue) || keyValue is null)
            {
                throw new PatchException(
                    $"strategic merge patch at '{elementPath}': list element is missing merge key '{mergeKey}'");
            }

            if (ReadPatchDirective(patchElement, elementPath) == "delete")
            {
                for (var i = result.Count - 1; i >= 0; i--)
                {
                    if (HasKey(result[i], mergeKey, keyValue))
                    {
                        result.RemoveAt(i);
                    }
                }

                continue;
            }

            var index = IndexOfKey(result, mergeKey, keyValue);
            if (index < 0)
            {
                var created = MergeMap(new JsonObject(), patchElement, elementPath, kind);
                if (created is not null)
                {
                    result.Add(created);
                }

                continue;
            }

            var existing = (JsonObject)result[index]!;
            var merged = MergeMap(existing, patchElement, elementPath, kind);
            if (merged is null)
            {
                result.RemoveAt(index);
            }
            else if (!ReferenceEquals(merged, existing))
            {
                result[index] = merged;
            }
        }
    }

    private static bool HasKey(JsonNode? element, string mergeKey, JsonNode? keyValue) =>
        element is JsonObject map
        && map.TryGetPropertyValue(mergeKey, out var value)
        && JsonEquality.AreEqual(value, keyValue);

    private static int IndexOfKey(JsonArray list, string mergeKey, JsonNode keyValue)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (HasKey(list[i], mergeKey, keyValue))
            {
                return i;
            }
        }

        return -1;
    }
}
