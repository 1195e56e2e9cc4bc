using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Selectors;

/// <summary>A parsed field selector (<c>metadata.name=x,spec.nodeName!=y</c>) over the fields each kind supports.</summary>
internal sealed class FieldSelector
{
    private static readonly string[] Common = ["metadata.name", "metadata.namespace"];

    private static readonly Dictionary<string, string[]> ByKind = new(StringComparer.Ordinal)
    {
        ["Pod"] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
        ["Node"] = ["spec.unschedulable"],
        ["Namespace"] = ["status.phase"],
        ["Event"] =
        [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
            "reason", "reportingComponent", "source", "type",
        ],
        ["ReplicaSet"] = ["status.replicas"],
    };

    private readonly IReadOnlyList<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string Field, bool Equal, string Value)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The name the selector pins, when it has a <c>metadata.name=</c> term (watches of one object use it).</summary>
    public string? Name => _terms.FirstOrDefault(t => t.Field == "metadata.name" && t.Equal).Value;

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var supported = Common.Concat(ByKind.GetValueOrDefault(type.Kind, [])).ToArray();
        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            string field;
            string value;
            bool equal;
            var index = term.IndexOf("!=", StringComparison.Ordinal);
            if (index > 0)
            {
                (field, value, equal) = (term[..index], term[(index + 2)..], false);
            }
            else if ((index = term.IndexOf("==", StringComparison.Ordinal)) > 0)
            {
                (field, value, equal) = (term[..index], term[(index + 2)..], true);
            }
            else if ((index = term.IndexOf('=', StringComparison.Ordinal)) > 0)
            {
                (field, value, equal) = (term[..index], term[(index + 1)..], true);
            }
            else
            {
                throw ApiException.BadRequest($"invalid field selector \"{text}\": term \"{term}\" has no operator (use field=value or field!=value)");
            }

            field = field.Trim();
            if (!supported.Contains(field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, equal, value.Trim()));
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, equal, value) in _terms)
        {
            var actual = Read(obj, field);
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static string Read(JsonObject obj, string path)
    {
        if (path == "source")
        {
            return obj["source"]?["component"]?.ToString() ?? string.Empty;
        }

        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node switch
        {
            null => string.Empty,
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            _ => node.ToString(),
        };
    }
}
