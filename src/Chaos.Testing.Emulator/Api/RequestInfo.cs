using Chaos.Testing.Emulator.Api;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Api;

/// <summary>What a request asks for, parsed from its method and path the way the API server's RequestInfoFactory does.</summary>
internal sealed record RequestInfo(
    string Verb,
    ResourceType? Type,
    string? Namespace,
    string? Name,
    string? Subresource,
    string Path,
    bool IsResourceRequest)
{
    public string Resource => Type?.Plural ?? string.Empty;

    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    /// <summary>Parses a request; <paramref name="find"/> resolves group, version and plural (custom resources too).</summary>
    public static RequestInfo Parse(HttpRequest request, Func<string, string, string, ResourceType?>? find = null)
    {
        find ??= ResourceTypes.Find;
        var path = request.Path.Value ?? "/";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        int rest;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, rest) = (string.Empty, segments[1], 2);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            return NonResource(request, path);
        }

        var parts = segments[rest..];
        if (parts.Length == 0)
        {
            return NonResource(request, path);
        }

        string? ns = null;
        if (parts.Length >= 3 && parts[0] == "namespaces" && find(group, version, parts[2]) is { Namespaced: true })
        {
            ns = parts[1];
            parts = parts[2..];
        }

        var type = find(group, version, parts[0]);
        var name = parts.Length > 1 ? parts[1] : null;
        var subresource = parts.Length > 2 ? string.Join('/', parts[2..]) : null;
        var verb = VerbOf(request, name);
        return new RequestInfo(verb, type, ns, name, subresource, path, true);
    }

    private static RequestInfo NonResource(HttpRequest request, string path) =>
        new(HttpMethods.IsGet(request.Method) ? "get" : request.Method.ToLowerInvariant(), null, null, null, null, path, false);

    private static string VerbOf(HttpRequest request, string? name)
    {
        var watch = QueryParameters.Bool(request.Query, "watch");
        return request.Method.ToUpperInvariant() switch
        {
            "GET" when watch => "watch",
            "GET" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => request.Method.ToLowerInvariant(),
        };
    }
}
