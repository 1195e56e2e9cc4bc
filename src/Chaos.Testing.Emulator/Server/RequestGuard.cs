using System.Net;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Patching;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <summary>
/// What keeps a web page in a browser on the same machine away from the emulator, which has no authentication: a
/// request must name a loopback host (a page reaching 127.0.0.1 through DNS rebinding sends its own host name), must
/// not come from a page of another origin, and a write must carry a Kubernetes content type (a page can send
/// <c>text/plain</c>, a form or no type at all without asking first; it cannot send <c>application/json</c>).
/// </summary>
internal static class RequestGuard
{
    /// <summary>The media types of create and update bodies the real API server reads.</summary>
    public static readonly string[] ObjectMediaTypes = [Json.ContentType, "application/yaml", "application/vnd.kubernetes.protobuf"];

    /// <summary>Throws 403 for a foreign host or origin and 415 for a write without a Kubernetes content type.</summary>
    public static void Check(HttpRequest request)
    {
        if (!IsLoopbackHost(request.Host.Host))
        {
            throw new ApiException(403, "Forbidden",
                "the emulator only answers requests addressed to a loopback host (localhost, 127.0.0.1, [::1]); "
                + $"Host \"{request.Host.Value}\" was refused. A browser page reaching the emulator through DNS rebinding sends its own "
                + "host name; clients connecting to the address the emulator prints are not affected.");
        }

        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && !IsLoopbackOrigin(origin))
        {
            throw new ApiException(403, "Forbidden",
                $"the emulator does not answer requests sent by web pages; Origin \"{origin}\" was refused. "
                + "Use a Kubernetes client, kubectl or curl.");
        }

        var method = request.Method;
        if (HttpMethods.IsPost(method) || HttpMethods.IsPut(method))
        {
            if (!ObjectMediaTypes.Contains(MediaType(request.ContentType), StringComparer.OrdinalIgnoreCase))
            {
                throw UnsupportedMediaType(request.ContentType, ObjectMediaTypes);
            }

            if (!string.Equals(MediaType(request.ContentType), Json.ContentType, StringComparison.OrdinalIgnoreCase) && !KubeProtobuf.Is(request.ContentType))
            {
                throw new ApiException(415, "UnsupportedMediaType",
                    $"the emulator reads JSON and protobuf bodies only, not {MediaType(request.ContentType)}; send the object as {Json.ContentType}");
            }
        }
        else if (HttpMethods.IsPatch(method) && PatchTypes.Parse(request.ContentType) is null)
        {
            throw UnsupportedMediaType(
                request.ContentType, [PatchTypes.JsonPatch, PatchTypes.MergePatch, PatchTypes.StrategicMergePatch, PatchTypes.ApplyPatch]);
        }
    }

    private static ApiException UnsupportedMediaType(string? contentType, IEnumerable<string> accepted) =>
        new(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format ({(string.IsNullOrWhiteSpace(contentType) ? "no Content-Type" : contentType)})"
            + " - "
            + $"accepted media types include: {string.Join(", ", accepted)}");

    private static string MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return string.Empty;
        }

        var separator = contentType.IndexOf(';', StringComparison.Ordinal);
        return (separator >= 0 ? contentType[..separator] : contentType).Trim();
    }

    private static bool IsLoopbackHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        // Dotted quads and IPv6 only: "2130706433" and "127.1" parse as 127.0.0.1 but are no host a client would send.
        return IPAddress.TryParse(literal, out var address) && IPAddress.IsLoopback(address)
            && (literal.Contains(':', StringComparison.Ordinal) || literal.Count(c => c == '.') == 3);
    }

    private static bool IsLoopbackOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && IsLoopbackHost(uri.Host);
}
