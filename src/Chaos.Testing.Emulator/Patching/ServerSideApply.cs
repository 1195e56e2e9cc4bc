using System.Globalization;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Patching;

/// <summary>
/// Server-side apply for the common cases: the applied configuration is merged into the live object (lists by
/// their strategic merge keys), the applying manager owns the fields it sent (<c>metadata.managedFields</c>,
/// FieldsV1), a field another applier owns with a different value is a conflict unless forced, and a field the
/// manager applied before and leaves out now is removed when no other manager owns it (object fields only).
/// </summary>
internal static class ServerSideApply
{
    /// <summary>Applies <paramref name="applied"/> for <paramref name="manager"/>; <paramref name="live"/> is null to create.</summary>
    /// <returns>The object to store.</returns>
    /// <exception cref="ApplyConflictException">Another manager owns a changed field and <paramref name="force"/> is false.</exception>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, string manager, bool force, string kind, DateTimeOffset now)
    {
        var fields = FieldSet(applied, string.Empty, kind);
        var entries = (live?["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>().Select(e => (JsonObject)e.DeepClone()).ToList();
        var mine = entries.FirstOrDefault(e => Owner(e) == manager);
        var others = entries.Where(e => e != mine).ToList();
        JsonObject result;
        if (live is null)
        {
            result = (JsonObject)applied.DeepClone();
        }
        else
        {
            var conflicts = new List<(string Manager, string Path)>();
            foreach (var other in others)
            {
                if (other["fieldsV1"] is JsonObject owned)
                {
                    Overlap(fields, owned, applied, live, string.Empty, path => conflicts.Add((Owner(other), path)));
                }
            }

            if (conflicts.Count > 0 && !force)
            {
                throw new ApplyConflictException(conflicts);
            }

            foreach (var (owner, _) in conflicts)
            {
                var entry = others.First(e => Owner(e) == owner);
                Subtract((JsonObject)entry["fieldsV1"]!, fields);
            }

            result = (JsonObject)StrategicMergePatch.Apply(live.DeepClone(), applied, kind)!;
            if (mine?["fieldsV1"] is JsonObject before)
            {
                RemoveDropped(result, before, fields, others.Select(e => e["fieldsV1"]).OfType<JsonObject>().ToList());
            }
        }

        others.RemoveAll(e => e["fieldsV1"] is JsonObject { Count: 0 });
        others.Add(new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Apply",
            ["apiVersion"] = applied["apiVersion"]?.ToString(),
            ["time"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = fields,
        });
        var metadata = result["metadata"] as JsonObject ?? [];
        result["metadata"] = metadata;
        metadata["managedFields"] = new JsonArray([.. others]);
        return result;
    }

    private static string Owner(JsonObject entry) => entry["manager"]?.ToString() ?? string.Empty;

    /// <summary>The FieldsV1 set of an applied object: <c>f:</c> members, <c>k:</c> keyed list items, <c>v:</c> set values.</summary>
    private static JsonObject FieldSet(JsonObject obj, string path, string kind)
    {
        var set = new JsonObject();
        foreach (var (name, value) in obj)
        {
            if (path.Length == 0 && name is "apiVersion" or "kind" || path == "/metadata" && name is "name" or "namespace" or "managedFields")
            {
                continue;
            }

            set["f:" + name] = value switch
            {
                JsonObject child => FieldSet(child, $"{path}/{name}", kind),
                JsonArray list when StrategicMergeKeys.Resolve(name, path, kind) is { } key => Items(list, key, $"{path}/{name}[]", kind),
                JsonArray list when StrategicMergeKeys.IsMergedPrimitiveList(name, path) =>
                    new JsonObject(list.Select(v => KeyValuePair.Create("v:" + (v?.ToJsonString() ?? "null"), (JsonNode?)new JsonObject()))
                        .DistinctBy(p => p.Key)),
                _ => new JsonObject(),
            };
        }

        return set;
    }

    private static JsonObject Items(JsonArray list, string key, string path, string kind)
    {
        var set = new JsonObject();
        foreach (var item in list.OfType<JsonObject>())
        {
            var child = new JsonObject { ["."] = new JsonObject() };
            foreach (var (name, value) in FieldSet(item, path, kind).ToList())
            {
                child[name] = value?.DeepClone();
            }

            set[ItemKey(key, item)] = child;
        }

        return set;
    }

    private static string ItemKey(string key, JsonObject item) => "k:" + new JsonObject { [key] = item[key]?.DeepClone() }.ToJsonString();

    /// <summary>Calls <paramref name="conflict"/> for each leaf both sets hold whose applied value differs from the live one.</summary>
    private static void Overlap(JsonObject mine, JsonObject theirs, JsonNode? applied, JsonNode? live, string path, Action<string> conflict)
    {
        foreach (var (name, child) in mine)
        {
            if (name == "." || theirs[name] is not JsonObject owned)
            {
                continue;
            }

            var (appliedChild, liveChild, label) = Step(name, applied, live);
            if (child is JsonObject { Count: 0 } || owned.Count == 0)
            {
                // A leaf: a value, or a list replaced whole. An empty map both hold has no value to disagree on.
                if (appliedChild is not JsonObject && !JsonEquality.AreEqual(appliedChild, liveChild))
                {
                    conflict(path + label);
                }
            }
            else
            {
                Overlap((JsonObject)child!, owned, appliedChild, liveChild, path + label, conflict);
            }
        }
    }

    private static (JsonNode? Applied, JsonNode? Live, string Label) Step(string name, JsonNode? applied, JsonNode? live)
    {
        if (name.StartsWith("f:", StringComparison.Ordinal))
        {
            return (applied?[name[2..]], live?[name[2..]], "." + name[2..]);
        }

        if (name.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(name[2..]) is JsonObject key)
        {
            JsonNode? Find(JsonNode? list) => (list as JsonArray)?.OfType<JsonObject>()
                .FirstOrDefault(item => key.All(k => JsonEquality.AreEqual(item[k.Key], k.Value)));
            return (Find(applied), Find(live), "[" + string.Join(",", key.Select(k => $"{k.Key}={k.Value?.ToJsonString()}")) + "]");
        }

        return (null, null, "[" + name + "]");
    }

    private static void Subtract(JsonObject from, JsonObject fields)
    {
        foreach (var (name, child) in fields)
        {
            if (from[name] is JsonObject owned)
            {
                if (child is JsonObject { Count: > 0 } nested && owned.Count > 0)
                {
                    Subtract(owned, nested);
                }
                else
                {
                    from.Remove(name);
                }
            }
        }
    }

    /// <summary>Removes object fields the manager applied before, leaves out now, and nobody else owns.</summary>
    private static void RemoveDropped(JsonObject target, JsonObject before, JsonObject now, List<JsonObject> others)
    {
        foreach (var (name, child) in before)
        {
            if (!name.StartsWith("f:", StringComparison.Ordinal))
            {
                continue;
            }

            var field = name[2..];
            var othersHere = others.Select(o => o[name]).OfType<JsonObject>().ToList();
            if (now[name] is not JsonObject kept)
            {
                if (othersHere.Count == 0)
                {
                    target.Remove(field);
                }
            }
            else if (child is JsonObject { Count: > 0 } nested && target[field] is JsonObject inner)
            {
                RemoveDropped(inner, nested, kept, othersHere);
            }
        }
    }
}

/// <summary>A server-side apply that would take fields other managers own (409 Conflict).</summary>
internal sealed class ApplyConflictException(IReadOnlyList<(string Manager, string Path)> conflicts)
    : Exception($"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? string.Empty : "s")}: "
        + string.Join("; ", conflicts.Select(c => $"conflict with \"{c.Manager}\": {c.Path}")))
{
    public IReadOnlyList<(string Manager, string Path)> Conflicts { get; } = conflicts;
}
