using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Validation;

/// <summary>
/// The decode step of the API server: a request body (or the result of a patch) must be readable as the Go type of its
/// kind before anything else looks at it. Create and update bodies that are not answer 400 <c>BadRequest</c>
/// ("Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal ..."); a patch whose result is not answers
/// 422 <c>Invalid</c> on the field <c>patch</c>, as the real server's patch handler does.
/// </summary>
internal static class ObjectSchema
{
    /// <summary>Refuses a create or update body that does not decode as its kind (400).</summary>
    public static void CheckBody(ResourceType type, JsonObject body)
    {
        if (JsonTypeCheck.Check(type.Model, body) is { } error)
        {
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: {error}");
        }
    }

    /// <summary>Refuses another body (an Eviction, DeleteOptions) that does not decode as <paramref name="model"/> (400).</summary>
    public static void CheckBody(Type model, string kind, JsonNode body)
    {
        if (JsonTypeCheck.Check(model, body) is { } error)
        {
            throw ApiException.BadRequest($"{kind} in version \"v1\" cannot be handled as a {kind}: {error}");
        }
    }

    /// <summary>Refuses the result of a patch that does not decode as its kind (422 on the field <c>patch</c>).</summary>
    public static void CheckPatched(ResourceType type, string name, JsonObject patched, JsonNode patch)
    {
        if (JsonTypeCheck.Check(type.Model, patched) is { } error)
        {
            var text = patch.ToJsonString();
            var value = text.Length <= 200 ? text : text[..200] + "...";
            throw ApiException.Invalid(type, name, [FieldError.Invalid("patch", value, error)]);
        }
    }
}
