using System.Text.Json;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Api;

/// <summary>Reading request bodies and writing JSON answers.</summary>
internal static class Json
{
    public const string ContentType = "application/json";

    public static async Task<JsonNode> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return node ?? throw ApiException.BadRequest("the request body is empty; send a JSON object");
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {ex.Message}");
        }
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await ReadBodyAsync(request, cancellationToken) as JsonObject
        ?? throw ApiException.BadRequest("the request body must be a JSON object");

    public static async Task WriteAsync(HttpResponse response, int status, JsonNode body, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = ContentType;
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        body.WriteTo(writer);
        await writer.FlushAsync(cancellationToken);
    }

    public static async Task WriteRawAsync(HttpResponse response, int status, byte[] body, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken);
    }

    public static JsonObject Success(ResourceType type, string name, string uid, int code = 200) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = type.Group.Length == 0
            ? new JsonObject { ["name"] = name, ["kind"] = type.Plural, ["uid"] = uid }
            : new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural, ["uid"] = uid },
        ["code"] = code,
    };
}
