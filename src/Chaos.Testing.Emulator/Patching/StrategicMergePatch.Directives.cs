using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Patching;

/// <content>
/// The directives: <c>$patch</c> (replace or delete a map or a list), <c>$retainKeys</c>, <c>$setElementOrder/</c> and
/// <c>$deleteFromPrimitiveList/</c>. A malformed directive fails the patch rather than being ignored, as on a real server.
/// </content>
internal static partial class StrategicMergePatch
{
    private static void DeleteFromPrimitiveList(JsonObject result, string field, JsonNode? values, string path)
    {
        if (values is not JsonArray toDelete)
        {
            throw new PatchException(
                $"strategic merge patch at '{path}': {DeleteFromPrimitiveListPrefix}{field} must be a list");
        }

        if (!result.TryGetPropertyValue(field, out var existing) || existing is not JsonArray list)
        {
            return;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            var item = list[i];
            if (toDelete.Any(value => JsonEquality.AreEqual(value, item)))
            {
                list.RemoveAt(i);
            }
        }
    }

    private static void SetElementOrder(JsonObject result, string field, JsonNode? order, string path)
    {
        if (order is not JsonArray orderList)
        {
            throw new PatchException(
                $"strategic merge patch at '{path}': {SetElementOrderPrefix}{field} must be a list");
        }

        if (!result.TryGetPropertyValue(field, out var existing) || existing is not JsonArray list)
        {
            return;
        }

        var items = list.ToList();
        var placed = new bool[items.Count];
        var ordered = new List<JsonNode?>(items.Count);
        foreach (var entry in orderList)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (!placed[i] && MatchesOrderEntry(items[i], entry))
                {
                    placed[i] = true;
                    ordered.Add(items[i]);
                }
            }
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (!placed[i])
            {
                ordered.Add(items[i]);
            }
        }

        list.Clear();
        foreach (var item in ordered)
        {
            list.Add(item);
        }
    }

    private static bool MatchesOrderEntry(JsonNode? item, JsonNode? entry)
    {
        if (entry is JsonObject entryMap && entryMap.Count == 1 && item is JsonObject)
        {
            var (key, value) = entryMap.First();
            return HasKey(item, key, value);
        }

        return JsonEquality.AreEqual(item, entry);
    }

    private static void RetainKeys(JsonObject result, JsonNode? retainKeys, string path)
    {
        if (retainKeys is not JsonArray keys)
        {
            throw new PatchException($"strategic merge patch at '{path}': {RetainKeysDirective} must be a list");
        }

        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (key is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                throw new PatchException(
                    $"strategic merge patch at '{path}': {RetainKeysDirective} must be a list of strings");
            }

            keep.Add(value.GetValue<string>());
        }

        foreach (var key in result.Select(pair => pair.Key).ToList())
        {
            if (!keep.Contains(key))
            {
                result.Remove(key);
            }
        }
    }

    private static string? ReadPatchDirective(JsonObject patch, string path)
    {
        if (!patch.TryGetPropertyValue(PatchDirective, out var node))
        {
            return null;
        }

        var directive = node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;
        return directive switch
        {
            "replace" or "delete" => directive,
            "merge" => null,
            _ => throw new PatchException(
                $"strategic merge patch at '{path}': unknown {PatchDirective} directive {node?.ToJsonString() ?? "null"}"),
        };
    }

    private static bool HasReplaceDirective(JsonArray patch, string path) =>
        patch.Any(element => element is JsonObject map && ReadPatchDirective(map, path) == "replace");

    private static bool IsDirective(string key) =>
        key == PatchDirective
        || key == RetainKeysDirective
        || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
        || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);
}
