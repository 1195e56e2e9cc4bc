using System.Text.Json;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Api;

/// <summary>Reading request bodies and writing JSON answers.</summary>
internal static class Json
{
    public const string ContentType = "application/json";

    /// <summary>The largest request body read, as the API server's limit (3 MiB).</summary>
    public const int MaxBodyBytes = 3 * 1024 * 1024;

    public static async Task<JsonNode> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        if (KubeProtobuf.Is(request.ContentType))
        {
            return KubeProtobuf.Decode(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(buffer, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {ex.Message}");
        }

        if (node is null)
        {
            throw ApiException.BadRequest("the request body is empty; send a JSON object");
        }

        try
        {
            Materialize(node);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // JsonNode builds objects lazily: a duplicate field or text that is not UTF-8 only shows when the tree is walked.
            throw ApiException.BadRequest($"the request body is not valid JSON: {ex.Message}");
        }

        return node;
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await ReadBodyAsync(request, cancellationToken) as JsonObject
        ?? throw ApiException.BadRequest("the request body must be a JSON object");

    private static ApiException TooLarge() =>
        new(413, "RequestEntityTooLarge", $"the request is too large: a request body may have at most {MaxBodyBytes} bytes");

    // Walks the whole tree now, so that every problem surfaces here and not in whatever reads the object later.
    private static void Materialize(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    if (child is not null)
                    {
                        Materialize(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Materialize(child);
                    }
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                _ = value.GetValue<string>();
                break;
        }
    }

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
