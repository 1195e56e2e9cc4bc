using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Patching;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Validation;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>
/// Versions served from another version's objects (<c>autoscaling/v1</c>, <c>events.k8s.io/v1</c>): every verb reads
/// and writes the stored objects, converting bodies on the way in and answers on the way out, as the API server
/// serves one stored object in each version of its group.
/// </content>
internal sealed partial class ApiServer
{
    private async Task ServeViewAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var view = request.Type!;
        var storage = ResourceTypes.StorageOf(view);
        var stored = request with { Type = storage };
        var dryRun = IsDryRun(context.Request);
        switch (request.Verb)
        {
            case "get":
                var current = _store.GetRequired(storage, request.Namespace, request.Name!);
                await WriteViewAsync(context, view, 200, current, cancellationToken);
                break;
            case "list":
                await ListViewAsync(context, view, request.Namespace, cancellationToken);
                break;
            case "watch":
                await WatchAsync(context, stored, cancellationToken, view);
                break;
            case "create" when request.Name is null:
                var body = await ReadViewAsync(context, view, cancellationToken);
                var created = Create(storage, request.Namespace, VersionConversion.ToStorage(view, body), dryRun);
                await WriteViewAsync(context, view, 201, created, cancellationToken);
                break;
            case "update":
                var replacement = await ReadViewAsync(context, view, cancellationToken);
                CheckIdentity(request, replacement);
                var expected = replacement["metadata"]?["resourceVersion"]?.ToString();
                var updated = Replace(stored, VersionConversion.ToStorage(view, replacement), expected, dryRun);
                await WriteViewAsync(context, view, 200, updated, cancellationToken);
                break;
            case "patch":
                await PatchViewAsync(context, request, cancellationToken);
                break;
            case "delete":
                var options = await ReadDeleteOptionsAsync(context.Request, cancellationToken);
                var target = _store.GetRequired(storage, request.Namespace, request.Name!);
                var (code, answer) = Delete(target, options, dryRun || options.DryRun);
                await Json.WriteAsync(context.Response, code, answer["kind"]?.ToString() == storage.Kind ? VersionConversion.ToView(view, answer) : answer, cancellationToken);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(context, stored, cancellationToken);
                break;
            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method} {view})");
        }
    }

    private async Task PatchViewAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var view = request.Type!;
        var stored = request with { Type = ResourceTypes.StorageOf(view) };
        var kind = PatchTypes.Parse(context.Request.ContentType);
        if (kind is null or PatchKind.Apply)
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {PatchTypes.JsonPatch}, {PatchTypes.MergePatch}, {PatchTypes.StrategicMergePatch} (server-side apply: use {stored.Type!.ApiVersion})");
        }

        var patch = await Json.ReadBodyAsync(context.Request, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var current = _store.GetRequired(stored.Type!, request.Namespace, request.Name!);
            var version = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            var patched = PatchEngine.Apply(kind.Value, VersionConversion.ToView(view, current.Clone()), patch, view.Kind) as JsonObject
                ?? throw ApiException.BadRequest("the patch must leave a JSON object");
            ObjectSchema.CheckPatched(view, request.Name!, patched, patch);
            CheckIdentity(request, patched);
            var expected = patched["metadata"]?["resourceVersion"]?.ToString();
            var precondition = expected != version ? expected : null;
            try
            {
                var result = Replace(stored, VersionConversion.ToStorage(view, patched), precondition ?? version, IsDryRun(context.Request));
                await WriteViewAsync(context, view, 200, result, cancellationToken);
                return;
            }
            catch (ApiException ex) when (ex.Code == 409 && precondition is null && attempt < PatchAttempts)
            {
                // Written in between: read again and re-apply.
            }
        }
    }

    private async Task ListViewAsync(HttpContext context, ResourceType view, string? ns, CancellationToken cancellationToken)
    {
        var storage = ResourceTypes.StorageOf(view);
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"], storage);
        var (all, resourceVersion) = _store.List(storage, ns, o => labels.Matches(o.Labels) && fields.Matches(o.Node));
        var query = context.Request.Query;
        var start = query["continue"].ToString() is { Length: > 0 } token ? all.Count(o => string.CompareOrdinal(o.Key, DecodeContinue(token)) <= 0) : 0;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var items = all.Skip(start).Take(limit).ToList();
        var remaining = all.Count - start - items.Count;
        if (WantsTable(context.Request))
        {
            await Json.WriteAsync(context.Response, 200, Tables.Build(storage, items, resourceVersion, _time.GetUtcNow()), cancellationToken);
            return;
        }

        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (remaining > 0)
        {
            metadata["continue"] = EncodeContinue(items[^1].Key, resourceVersion);
            metadata["remainingItemCount"] = remaining;
        }

        var list = new JsonObject
        {
            ["kind"] = view.ListKind,
            ["apiVersion"] = view.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray(items.Select(o => (JsonNode)VersionConversion.ToView(view, o.Clone())).ToArray()),
        };
        await Json.WriteAsync(context.Response, 200, list, cancellationToken);
    }

    private async Task WriteViewAsync(HttpContext context, ResourceType view, int code, StoredObject stored, CancellationToken cancellationToken)
    {
        if (code == 200 && WantsTable(context.Request))
        {
            await Json.WriteAsync(context.Response, 200, Tables.Build(stored.Type, [stored], _store.ResourceVersion, _time.GetUtcNow()), cancellationToken);
            return;
        }

        await Json.WriteAsync(context.Response, code, VersionConversion.ToView(view, stored.Clone()), cancellationToken);
    }

    private static async Task<JsonObject> ReadViewAsync(HttpContext context, ResourceType view, CancellationToken cancellationToken)
    {
        var obj = await Json.ReadObjectAsync(context.Request, cancellationToken);
        ObjectSchema.CheckBody(view, obj);
        CheckKind(view, obj);
        return obj;
    }
}
