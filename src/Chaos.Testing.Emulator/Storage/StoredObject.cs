using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using k8s;

namespace Chaos.Testing.Emulator.Storage;

/// <summary>
/// One immutable version of an object in the store. The JSON tree is fully materialised when it is stored and
/// never mutated afterwards, so any number of readers can use it without locks; writers clone it.
/// </summary>
internal sealed class StoredObject
{
    public StoredObject(ResourceType type, JsonObject node)
    {
        Type = type;
        Node = node;
        Materialize(node);
        var metadata = node["metadata"]!.AsObject();
        Name = metadata["name"]!.GetValue<string>();
        Namespace = metadata["namespace"]?.GetValue<string>();
        Uid = metadata["uid"]?.GetValue<string>() ?? string.Empty;
        ResourceVersion = long.Parse(metadata["resourceVersion"]?.GetValue<string>() ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Labels = ReadMap(metadata["labels"]);
        Terminating = metadata["deletionTimestamp"] is not null;
        Json = Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    public ResourceType Type { get; }

    public JsonObject Node { get; }

    public string Name { get; }

    public string? Namespace { get; }

    public string Uid { get; }

    public long ResourceVersion { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    public bool Terminating { get; }

    /// <summary>The UTF-8 JSON of <see cref="Node"/>, written once.</summary>
    public byte[] Json { get; }

    public string Key => Namespace is null ? Name : $"{Namespace}/{Name}";

    public JsonObject Clone() => (JsonObject)Node.DeepClone();

    public T As<T>() => KubernetesJson.Deserialize<T>(Encoding.UTF8.GetString(Json));

    public static IReadOnlyDictionary<string, string> ReadMap(JsonNode? node)
    {
        if (node is not JsonObject map || map.Count == 0)
        {
            return EmptyMap;
        }

        var result = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            result[key] = value?.ToString() ?? string.Empty;
        }

        return result;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyMap = new Dictionary<string, string>();

    // Walking the tree forces lazily-parsed nodes to build their children now, while one thread owns them.
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Materialize(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Materialize(child);
                }

                break;
        }
    }
}
