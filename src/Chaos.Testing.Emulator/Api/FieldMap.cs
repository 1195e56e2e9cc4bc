using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Api;

/// <summary>Copies fields between two shapes of one object by dotted paths (<c>target.averageUtilization</c>).</summary>
internal static class FieldMap
{
    /// <summary>A new object holding each field of <paramref name="from"/> named on the left, at the path on the right.</summary>
    public static JsonObject Map(JsonObject? from, IEnumerable<(string From, string To)> pairs)
    {
        var to = new JsonObject();
        if (from is null)
        {
            return to;
        }

        foreach (var (source, target) in pairs)
        {
            if (Get(from, source) is { } value)
            {
                Set(to, target, value.DeepClone());
            }
        }

        return to;
    }

    /// <summary>The pairs read the other way.</summary>
    public static (string From, string To)[] Reverse(IEnumerable<(string From, string To)> pairs) =>
        pairs.Select(p => (p.To, p.From)).ToArray();

    /// <summary>The value at a dotted path, or null.</summary>
    public static JsonNode? Get(JsonNode? node, string path)
    {
        foreach (var segment in path.Split('.'))
        {
            node = node is JsonObject obj ? obj[segment] : null;
        }

        return node;
    }

    private static void Set(JsonObject obj, string path, JsonNode value)
    {
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (obj[segments[i]] is not JsonObject child)
            {
                child = new JsonObject();
                obj[segments[i]] = child;
            }

            obj = child;
        }

        obj[segments[^1]] = value;
    }
}
