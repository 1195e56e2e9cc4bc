using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Patching;
using Chaos.Testing.Emulator.Validation;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>Server-side apply (<c>application/apply-patch+yaml</c>): creates or updates with field ownership.</content>
internal sealed partial class ApiServer
{
    private async Task ApplyAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var type = request.Type!;
        var query = context.Request.Query;
        var manager = query["fieldManager"].ToString();
        if (manager.Length == 0)
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        if (request.Subresource is not null)
        {
            throw ApiException.MethodNotAllowed($"server-side apply to {type.Plural}/{request.Subresource} is not supported by the emulator");
        }

        var applied = await Json.ReadObjectAsync(context.Request, cancellationToken);
        if (string.IsNullOrEmpty(applied["apiVersion"]?.ToString()) || string.IsNullOrEmpty(applied["kind"]?.ToString()))
        {
            throw ApiException.BadRequest("apiVersion and kind must be set in an applied configuration");
        }

        ObjectSchema.CheckBody(type, applied);
        CheckKind(type, applied);
        var metadata = applied["metadata"] as JsonObject ?? [];
        applied["metadata"] = metadata;
        metadata["name"] ??= request.Name;
        CheckIdentity(request, applied);
        var force = QueryParameters.Bool(query, "force");
        var dryRun = IsDryRun(context.Request);
        for (var attempt = 1; ; attempt++)
        {
            var current = _store.Get(type, request.Namespace, request.Name!);
            JsonObject result;
            try
            {
                result = ServerSideApply.Apply(current?.Clone(), applied, manager, force, type.Kind, _time.GetUtcNow());
            }
            catch (ApplyConflictException ex)
            {
                var causes = new JsonArray([.. ex.Conflicts.Select(c => (JsonNode)new JsonObject
                {
                    ["type"] = "FieldManagerConflict",
                    ["message"] = $"conflict with \"{c.Manager}\"",
                    ["field"] = c.Path,
                })]);
                throw new ApiException(409, "Conflict", ex.Message, new JsonObject { ["causes"] = causes });
            }

            if (current is null)
            {
                result["metadata"]!.AsObject().Remove("resourceVersion");
                var created = Create(type, request.Namespace, result, dryRun);
                await Json.WriteRawAsync(context.Response, 201, created.Json, cancellationToken);
                return;
            }

            var version = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            result["metadata"]!["resourceVersion"] = version;
            try
            {
                var replaced = Replace(request, result, version, dryRun);
                await Json.WriteRawAsync(context.Response, 200, replaced.Json, cancellationToken);
                return;
            }
            catch (ApiException ex) when (ex.Code == 409 && attempt < PatchAttempts)
            {
                // Someone else wrote in between: apply again to what is there now.
            }
        }
    }
}
