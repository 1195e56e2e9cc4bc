using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Api;

/// <summary>The resource types a CustomResourceDefinition defines: one per served version, with that version's schema.</summary>
internal static class CustomResourceTypes
{
    private static readonly string[] CrudVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static IEnumerable<ResourceType> Of(JsonObject crd)
    {
        var spec = crd["spec"];
        var names = spec?["names"];
        var group = spec?["group"]?.ToString();
        var plural = names?["plural"]?.ToString();
        var kind = names?["kind"]?.ToString();
        if (string.IsNullOrEmpty(group) || string.IsNullOrEmpty(plural) || string.IsNullOrEmpty(kind))
        {
            yield break;
        }

        var namespaced = spec?["scope"]?.ToString() != "Cluster";
        var shortNames = (names?["shortNames"] as JsonArray ?? []).Select(n => n?.ToString() ?? string.Empty).ToArray();
        var singular = names?["singular"]?.ToString() is { Length: > 0 } s ? s : kind.ToLowerInvariant();
        foreach (var version in (spec?["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (!JsonNumbersIsTrue(version["served"]) || version["name"]?.ToString() is not { Length: > 0 } name)
            {
                continue;
            }

            string[] subresources = version["subresources"]?["status"] is JsonObject ? ["status"] : [];
            yield return new ResourceType(group, name, plural, singular, kind, namespaced, shortNames, subresources, CrudVerbs, typeof(CustomResourceModel))
            {
                Schema = version["schema"]?["openAPIV3Schema"] as JsonObject,
                IsCustom = true,
            };
        }
    }

    private static bool JsonNumbersIsTrue(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.True;
}
