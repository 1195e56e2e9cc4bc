using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Validation;

/// <content>CustomResourceDefinitions and the custom resources they define.</content>
internal static partial class ObjectValidator
{
    private static readonly string[] Scopes = ["Namespaced", "Cluster"];

    private static void ValidateCustomResource(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        if (type.Schema is { } schema)
        {
            OpenApiSchema.Validate(schema, obj, errors);
        }
    }

    private static void ValidateDefinition(JsonObject crd, List<FieldError> errors)
    {
        var spec = crd["spec"];
        var group = spec?["group"]?.ToString();
        var plural = spec?["names"]?["plural"]?.ToString();
        if (string.IsNullOrEmpty(group))
        {
            errors.Add(FieldError.Required("spec.group"));
        }

        if (string.IsNullOrEmpty(plural))
        {
            errors.Add(FieldError.Required("spec.names.plural"));
        }

        if (string.IsNullOrEmpty(spec?["names"]?["kind"]?.ToString()))
        {
            errors.Add(FieldError.Required("spec.names.kind"));
        }

        var name = crd["metadata"]?["name"]?.ToString();
        if (!string.IsNullOrEmpty(group) && !string.IsNullOrEmpty(plural) && name != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", name ?? string.Empty, "must be spec.names.plural+\".\"+spec.group"));
        }

        var scope = spec?["scope"]?.ToString();
        if (scope is null)
        {
            errors.Add(FieldError.Required("spec.scope"));
        }
        else if (!Scopes.Contains(scope))
        {
            errors.Add(FieldError.NotSupported("spec.scope", scope, Scopes));
        }

        var versions = (spec?["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (versions.Count == 0)
        {
            errors.Add(FieldError.Required("spec.versions", "must have exactly one version marked as storage version"));
        }
        else if (versions.Count(v => v["storage"] is JsonValue s && s.GetValueKind() == System.Text.Json.JsonValueKind.True) != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", versions.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "must have exactly one version marked as storage version"));
        }
    }
}
