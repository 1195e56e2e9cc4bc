using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Patching;
using k8s.Models;

namespace Chaos.Testing.Emulator.OpenApi;

/// <summary>
/// OpenAPI schemas of the served kinds, generated from the <c>k8s.Models</c> types the emulator validates bodies
/// against: every JSON field with its type, the group-version-kind extension of each kind (which kubectl looks
/// schemas up by), and the strategic merge keys of the lists (which client-side <c>kubectl apply</c> builds its
/// patches with). Descriptions are not carried: the model types have none at run time.
/// </summary>
internal static partial class ModelSchemas
{
    private static readonly HashSet<string> MetaTypes =
    [
        "ObjectMeta", "ListMeta", "OwnerReference", "ManagedFieldsEntry", "LabelSelector", "LabelSelectorRequirement",
        "Status", "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions", "Condition",
    ];

    /// <summary>Builds the schemas of <paramref name="types"/> and of every model type they reach.</summary>
    /// <param name="types">The served kinds.</param>
    /// <param name="refPrefix"><c>#/definitions/</c> (v2) or <c>#/components/schemas/</c> (v3).</param>
    /// <param name="v3">Whether to write OpenAPI v3 forms (int-or-string as <c>anyOf</c>).</param>
    public static JsonObject Build(IEnumerable<ResourceType> types, string refPrefix, bool v3)
    {
        var builder = new Builder(refPrefix, v3);
        foreach (var type in types)
        {
            var name = builder.Add(type.Model, Package(type));
            var schema = (JsonObject)builder.Schemas[name]!;
            // One model can be served in two versions (a beta and its v1): its schema names both.
            if (schema["x-kubernetes-group-version-kind"] is JsonArray kinds)
            {
                kinds.Add(Gvk(type));
            }
            else
            {
                schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(type));
            }
        }

        builder.Add(typeof(V1Status), "io.k8s.apimachinery.pkg.apis.meta.v1");
        return builder.Schemas;
    }

    /// <summary>The definition name of a kind, as the API server names it: <c>io.k8s.api.apps.v1.Deployment</c>.</summary>
    public static string NameOf(ResourceType type) => $"{Package(type)}.{type.Kind}";

    /// <summary>The <c>x-kubernetes-group-version-kind</c> value of a kind.</summary>
    public static JsonObject Gvk(ResourceType type) =>
        new() { ["group"] = type.Group, ["kind"] = type.Kind, ["version"] = type.Version };

    private static string Package(ResourceType type) =>
        $"io.k8s.api.{(type.Group.Length == 0 ? "core" : type.Group.Split('.')[0])}.{type.Version}";

    private sealed class Builder(string refPrefix, bool v3)
    {
        private readonly Dictionary<Type, string> _names = [];

        public JsonObject Schemas { get; } = [];

        public string Add(Type model, string package)
        {
            if (_names.TryGetValue(model, out var known))
            {
                return known;
            }

            var plain = VersionPrefix().Replace(model.Name, string.Empty);
            var name = MetaTypes.Contains(plain) ? $"io.k8s.apimachinery.pkg.apis.meta.v1.{plain}" : $"{package}.{plain}";
            while (Schemas.ContainsKey(name))
            {
                name += "_";
            }

            _names[model] = name;
            var properties = new JsonObject();
            var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
            Schemas[name] = schema;
            foreach (var property in model.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name is not { } field)
                {
                    continue;
                }

                var fieldSchema = Of(property.PropertyType, package);
                if (fieldSchema["type"]?.ToString() == "array")
                {
                    AddPatchStrategy(fieldSchema, field, plain);
                }

                properties[field] = fieldSchema;
            }

            return name;
        }

        private JsonObject Of(Type type, string package)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            {
                return new JsonObject { ["type"] = "object", ["additionalProperties"] = Of(type.GetGenericArguments()[1], package) };
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>))
            {
                return new JsonObject { ["type"] = "array", ["items"] = Of(type.GetGenericArguments()[0], package) };
            }

            return type switch
            {
                _ when type == typeof(string) => new JsonObject { ["type"] = "string" },
                _ when type == typeof(bool) => new JsonObject { ["type"] = "boolean" },
                _ when type == typeof(int) => new JsonObject { ["type"] = "integer", ["format"] = "int32" },
                _ when type == typeof(long) => new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                _ when type == typeof(double) => new JsonObject { ["type"] = "number", ["format"] = "double" },
                _ when type == typeof(byte[]) => new JsonObject { ["type"] = "string", ["format"] = "byte" },
                _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                _ when type == typeof(IntOrString) || type == typeof(ResourceQuantity) => IntOrString(),
                _ when type == typeof(object) || !type.IsClass => new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                _ => new JsonObject { ["$ref"] = refPrefix + Add(type, package) },
            };
        }

        private JsonObject IntOrString() => v3
            ? new JsonObject
            {
                ["x-kubernetes-int-or-string"] = true,
                ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
            }
            : new JsonObject { ["type"] = "string", ["format"] = "int-or-string" };

        private static void AddPatchStrategy(JsonObject schema, string field, string owner)
        {
            var parentPath = owner is "Container" or "EphemeralContainer" ? "/spec/containers[]" : owner == "ServiceSpec" ? "/spec" : "/x";
            var kind = owner == "ServiceSpec" ? "Service" : "Pod";
            if (StrategicMergeKeys.Resolve(field, parentPath, kind) is { } key)
            {
                schema["x-kubernetes-patch-merge-key"] = key;
                schema["x-kubernetes-patch-strategy"] = "merge";
            }
            else if (owner == "ObjectMeta" && StrategicMergeKeys.IsMergedPrimitiveList(field, "/metadata"))
            {
                schema["x-kubernetes-patch-strategy"] = "merge";
            }
        }
    }

    [GeneratedRegex(@"^(?:[A-Z][a-z]+)?[Vv][0-9]+(?:alpha[0-9]+|beta[0-9]+)?(?=[A-Z])")]
    private static partial Regex VersionPrefix();
}
