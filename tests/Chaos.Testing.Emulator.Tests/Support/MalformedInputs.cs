using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>
/// Malformed requests for the robustness tests: values of the wrong JSON type at many paths of every kind a chaos test
/// writes (over create, update, merge, strategic merge and JSON patch), bodies that are not JSON, numbers no field can
/// hold and content types the API does not read. The expected types are written out here, from the Kubernetes API
/// reference, not derived from the emulator's own schema code.
/// </summary>
public static class MalformedInputs
{
    /// <summary>Wrong values for each JSON type a field can have (raw JSON text).</summary>
    private static readonly Dictionary<string, string[]> WrongValues = new(StringComparer.Ordinal)
    {
        ["object"] = ["5", "\"text\"", "true", "[1]"],
        ["map"] = ["5", "\"text\"", "[\"a\"]", "{\"k\":5}", "{\"k\":{}}", "{\"k\":true}"],
        ["string"] = ["5", "true", "{}", "[\"a\"]"],
        ["array"] = ["5", "\"text\"", "{}", "[5]"],
        ["int"] = ["\"5\"", "true", "{}", "1.5", "1e400", "99999999999999999999", "-99999999999999999999"],
        ["bool"] = ["\"yes\"", "1", "{}"],
        ["intOrString"] = ["true", "{}", "[]", "1.5", "99999999999999999999"],
        ["quantity"] = ["\"lots\"", "true", "{}", "[]"],
        ["quantities"] = ["5", "\"text\"", "{\"k\":true}", "{\"k\":\"lots\"}"],
        ["time"] = ["\"yesterday\"", "5", "{}"],
        ["base64"] = ["\"not base64!\"", "5"],
    };

    /// <summary>Gets the kinds under test: where to create them, a valid object, and the fields to break with their type.</summary>
    public static IReadOnlyList<Target> Targets { get; } =
    [
        new("Pod", "/api/v1/namespaces/shop/pods", """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME","labels":{"app":"fuzz"}},
             "spec":{"containers":[{"name":"app","image":"nginx:1.25","ports":[{"containerPort":80}],
             "resources":{"limits":{"cpu":"100m"}}}],"nodeSelector":{"example.com/none":"x"}}}
            """, Fields(
            ("spec", "object"), ("spec.containers", "array"), ("spec.containers.0", "object"), ("spec.containers.0.name", "string"),
            ("spec.containers.0.image", "string"), ("spec.containers.0.ports.0.containerPort", "int"),
            ("spec.containers.0.resources.limits.cpu", "quantity"), ("spec.nodeSelector", "map"), ("spec.tolerations", "array"),
            ("spec.terminationGracePeriodSeconds", "int"), ("spec.hostNetwork", "bool"), ("status", "object"), ("status.phase", "string"))),
        new("Node", "/api/v1/nodes", """
            {"apiVersion":"v1","kind":"Node","metadata":{"name":"NAME","labels":{"app":"fuzz"}},
             "spec":{"taints":[{"key":"k","effect":"NoSchedule"}]},
             "status":{"capacity":{"cpu":"4"},"conditions":[{"type":"Ready","status":"False"}]}}
            """, Fields(
            ("spec", "object"), ("spec.taints", "array"), ("spec.taints.0", "object"), ("spec.taints.0.key", "string"),
            ("spec.unschedulable", "bool"), ("status", "object"), ("status.conditions", "array"), ("status.conditions.0.status", "string"),
            ("status.capacity", "quantities"), ("status.capacity.cpu", "quantity"))),
        new("Namespace", "/api/v1/namespaces", """
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"NAME","labels":{"app":"fuzz"}},"spec":{"finalizers":["kubernetes"]}}
            """, Fields(("spec", "object"), ("spec.finalizers", "array"), ("status", "object"), ("status.phase", "string"))),
        new("Deployment", "/apis/apps/v1/namespaces/shop/deployments", """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","labels":{"app":"fuzz"}},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"fuzz"}},
             "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1}},
             "template":{"metadata":{"labels":{"app":"fuzz"}},"spec":{"containers":[{"name":"app","image":"nginx:1.25"}]}}}}
            """, Fields(
            ("spec", "object"), ("spec.replicas", "int"), ("spec.selector", "object"), ("spec.selector.matchLabels", "map"),
            ("spec.template", "object"), ("spec.template.metadata.labels", "map"), ("spec.template.spec.containers", "array"),
            ("spec.template.spec.containers.0.image", "string"), ("spec.strategy.rollingUpdate.maxUnavailable", "intOrString"),
            ("status", "object"), ("status.replicas", "int"))),
        new("PodDisruptionBudget", "/apis/policy/v1/namespaces/shop/poddisruptionbudgets", """
            {"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"NAME","labels":{"app":"fuzz"}},
             "spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"fuzz"}}}}
            """, Fields(
            ("spec", "object"), ("spec.minAvailable", "intOrString"), ("spec.selector", "object"), ("spec.selector.matchLabels", "map"),
            ("spec.selector.matchExpressions", "array"), ("status", "object"), ("status.disruptionsAllowed", "int"))),
        new("Service", "/api/v1/namespaces/shop/services", """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"NAME","labels":{"app":"fuzz"}},
             "spec":{"selector":{"app":"fuzz"},"ports":[{"name":"http","port":80,"targetPort":8080}]}}
            """, Fields(
            ("spec", "object"), ("spec.ports", "array"), ("spec.ports.0", "object"), ("spec.ports.0.port", "int"),
            ("spec.ports.0.targetPort", "intOrString"), ("spec.selector", "map"), ("spec.type", "string"), ("status", "object"))),
        new("ConfigMap", "/api/v1/namespaces/shop/configmaps", """
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","labels":{"app":"fuzz"}},"data":{"key":"value"},
             "binaryData":{"blob":"AAEC"}}
            """, Fields(("data", "map"), ("data.key", "string"), ("binaryData", "map"), ("binaryData.blob", "base64"), ("immutable", "bool"))),
    ];

    /// <summary>The fields every kind has, broken for every kind.</summary>
    private static readonly (string Path, string Type)[] Metadata =
    [
        ("metadata", "object"), ("metadata.name", "string"), ("metadata.labels", "map"), ("metadata.labels.app", "string"),
        ("metadata.annotations", "map"), ("metadata.finalizers", "array"), ("metadata.ownerReferences", "array"),
        ("metadata.generation", "int"), ("metadata.creationTimestamp", "time"), ("apiVersion", "string"), ("kind", "string"),
    ];

    /// <summary>Bodies that are not a JSON object at all.</summary>
    public static IReadOnlyList<(string Description, byte[] Body)> BadBodies { get; } =
    [
        ("empty body", []),
        ("truncated object", "{\"metadata\":"u8.ToArray()),
        ("not JSON", "hello"u8.ToArray()),
        ("a JSON number", "5"u8.ToArray()),
        ("a JSON string", "\"pod\""u8.ToArray()),
        ("a JSON array", "[]"u8.ToArray()),
        ("JSON null", "null"u8.ToArray()),
        ("a duplicate key", "{\"metadata\":{\"name\":\"a\"},\"metadata\":{\"name\":\"b\"}}"u8.ToArray()),
        ("nesting 10 000 deep", Encoding.ASCII.GetBytes(new string('[', 10_000) + new string(']', 10_000))),
        ("invalid UTF-8", [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']),
        ("a number literal with 100 000 digits", Encoding.ASCII.GetBytes("{\"metadata\":{\"generation\":" + new string('9', 100_000) + "}}")),
        ("4 MB (over the request size limit)", Encoding.ASCII.GetBytes("{\"data\":{\"k\":\"" + new string('x', 4 * 1024 * 1024) + "\"}}")),
    ];

    /// <summary>Content types the API does not read, for a body that would otherwise be valid.</summary>
    public static IReadOnlyList<string?> WrongContentTypes { get; } =
        ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", null];

    /// <summary>Every path under test of a target.</summary>
    public static IEnumerable<string> Paths(Target target) => Metadata.Concat(target.Fields).Select(f => f.Path);

    /// <summary>Every (path, wrong value) pair of a target.</summary>
    public static IEnumerable<(string Path, string Value)> Mutations(Target target) =>
        Metadata.Concat(target.Fields).SelectMany(f => WrongValues[f.Type].Select(v => (f.Path, v)));

    /// <summary>The target's valid object, named <paramref name="name"/>.</summary>
    public static JsonObject Valid(Target target, string name) => JsonNode.Parse(target.Json.Replace("NAME", name, StringComparison.Ordinal))!.AsObject();

    /// <summary>The JSON text of <paramref name="obj"/> with the field at <paramref name="path"/> set to the raw JSON <paramref name="value"/>.</summary>
    public static string WithValue(JsonObject obj, string path, string value)
    {
        const string Sentinel = "@@raw-value@@";
        var copy = obj.DeepClone();
        var segments = path.Split('.');
        var parent = copy;
        foreach (var segment in segments[..^1])
        {
            parent = parent is JsonArray array ? array[int.Parse(segment, CultureInfo.InvariantCulture)]! : parent[segment] ??= new JsonObject();
        }

        if (parent is JsonArray list)
        {
            list[int.Parse(segments[^1], CultureInfo.InvariantCulture)] = Sentinel;
        }
        else
        {
            parent[segments[^1]] = Sentinel;
        }

        return copy.ToJsonString().Replace($"\"{Sentinel}\"", value, StringComparison.Ordinal);
    }

    /// <summary>A merge (or strategic merge) patch setting <paramref name="path"/>, or null when the path goes through a list.</summary>
    public static string? MergePatch(string path, string value)
    {
        var segments = path.Split('.');
        if (segments.Any(s => s.All(char.IsAsciiDigit)))
        {
            return null;
        }

        return string.Concat(segments.Select(s => $"{{\"{s}\":")) + value + new string('}', segments.Length);
    }

    /// <summary>A JSON patch replacing <paramref name="path"/>.</summary>
    public static string JsonPatch(string path, string value) =>
        $"[{{\"op\":\"add\",\"path\":\"/{path.Replace('.', '/')}\",\"value\":{value}}}]";

    private static (string Path, string Type)[] Fields(params (string Path, string Type)[] fields) => fields;

    /// <summary>A kind under test.</summary>
    /// <param name="Kind">The kind.</param>
    /// <param name="Collection">The URL path of its collection.</param>
    /// <param name="Json">A valid object, with NAME for its name.</param>
    /// <param name="Fields">Fields of its spec and status with their JSON type.</param>
    public sealed record Target(string Kind, string Collection, string Json, (string Path, string Type)[] Fields);
}
