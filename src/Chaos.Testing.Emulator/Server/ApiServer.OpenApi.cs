using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.OpenApi;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>
/// <c>/openapi/v2</c> (protobuf when asked for, as kubectl does, else JSON; also at the old
/// <c>/swagger-2.0.0.pb-v1</c>) and <c>/openapi/v3</c> with one document per group version.
/// </content>
internal sealed partial class ApiServer
{
    private static readonly Lazy<JsonObject> OpenApiV2 = new(() => OpenApiDocuments.V2(Discovery.KubernetesVersion));
    private static readonly Lazy<byte[]> OpenApiV2Protobuf = new(() => GnosticV2.Encode(OpenApiV2.Value));
    private static readonly Lazy<byte[]> OpenApiV3Index = new(() => Encoding.UTF8.GetBytes(OpenApiDocuments.V3Index(Discovery.KubernetesVersion).ToJsonString()));
    private static readonly ConcurrentDictionary<string, byte[]?> OpenApiV3 = new(StringComparer.Ordinal);

    private static async Task<bool> TryServeOpenApiAsync(HttpContext context, string path, CancellationToken cancellationToken)
    {
        var trimmed = path.TrimEnd('/');
        byte[]? body;
        string contentType;
        if (trimmed == "/swagger-2.0.0.pb-v1" || (trimmed == "/openapi/v2" && context.Request.Headers.Accept.ToString().Contains("protobuf", StringComparison.Ordinal)))
        {
            (body, contentType) = (OpenApiV2Protobuf.Value, "application/octet-stream");
        }
        else if (trimmed == "/openapi/v2")
        {
            (body, contentType) = (Encoding.UTF8.GetBytes(OpenApiV2.Value.ToJsonString()), "application/json");
        }
        else if (trimmed == "/openapi/v3")
        {
            (body, contentType) = (OpenApiV3Index.Value, "application/json");
        }
        else if (trimmed.StartsWith("/openapi/v3/", StringComparison.Ordinal))
        {
            var groupVersion = trimmed["/openapi/v3/".Length..];
            body = OpenApiV3.GetOrAdd(groupVersion, gv => OpenApiDocuments.V3(gv, Discovery.KubernetesVersion) is { } document
                ? Encoding.UTF8.GetBytes(document.ToJsonString())
                : null);
            contentType = "application/json";
        }
        else
        {
            return false;
        }

        if (body is null)
        {
            return false;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken);
        return true;
    }
}
