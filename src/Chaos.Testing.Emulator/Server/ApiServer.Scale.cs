using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Patching;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Validation;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>
/// The <c>scale</c> subresource of Deployments, StatefulSets and ReplicaSets: an <c>autoscaling/v1</c> Scale read from
/// and written to the workload's <c>spec.replicas</c>, as <c>kubectl scale</c> and autoscalers use it.
/// </content>
internal sealed partial class ApiServer
{
    private async Task ScaleAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var type = request.Type!;
        switch (request.Verb)
        {
            case "get":
                await Json.WriteAsync(context.Response, 200, ToScale(_store.GetRequired(type, request.Namespace, request.Name!)), cancellationToken);
                return;
            case "update":
            {
                var body = await Json.ReadObjectAsync(context.Request, cancellationToken);
                ObjectSchema.CheckBody(typeof(V1Scale), "Scale", body);
                var updated = WriteScale(request, body, body["metadata"]?["resourceVersion"]?.ToString(), IsDryRun(context.Request));
                await Json.WriteAsync(context.Response, 200, updated, cancellationToken);
                return;
            }

            case "patch":
            {
                var kind = PatchTypes.Parse(context.Request.ContentType)
                    ?? throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format");
                var patch = await Json.ReadBodyAsync(context.Request, cancellationToken);
                for (var attempt = 1; ; attempt++)
                {
                    var current = _store.GetRequired(type, request.Namespace, request.Name!);
                    var patched = PatchEngine.Apply(kind, ToScale(current), patch, "Scale") as JsonObject
                        ?? throw ApiException.BadRequest("the patch must leave a JSON object");
                    ObjectSchema.CheckBody(typeof(V1Scale), "Scale", patched);
                    var expected = patched["metadata"]?["resourceVersion"]?.ToString();
                    var precondition = expected != current.ResourceVersion.ToString(CultureInfo.InvariantCulture) ? expected : null;
                    try
                    {
                        var updated = WriteScale(
                            request, patched, precondition ?? current.ResourceVersion.ToString(CultureInfo.InvariantCulture), IsDryRun(context.Request));
                        await Json.WriteAsync(context.Response, 200, updated, cancellationToken);
                        return;
                    }
                    catch (ApiException ex) when (ex.Code == 409 && precondition is null && attempt < PatchAttempts)
                    {
                        // Written by someone else in between: read again and re-apply.
                    }
                }
            }

            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({request.Verb} {type.Plural}/scale)");
        }
    }

    private JsonObject WriteScale(RequestInfo request, JsonObject scale, string? expectedResourceVersion, bool dryRun)
    {
        var type = request.Type!;
        var replicas = scale["spec"]?["replicas"];
        if (replicas is null || replicas.GetValueKind() != System.Text.Json.JsonValueKind.Number || replicas.ToInt64() < 0)
        {
            throw ApiException.Invalid(
                type, request.Name!, [FieldError.Invalid("spec.replicas", replicas?.ToJsonString() ?? "null", "must be greater than or equal to 0")]);
        }

        var current = _store.GetRequired(type, request.Namespace, request.Name!);
        if (!string.IsNullOrEmpty(expectedResourceVersion) && expectedResourceVersion != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw ApiException.Conflict(type, current.Name);
        }

        var next = current.Clone();
        next["spec"]!["replicas"] = replicas.ToInt64();
        if (dryRun)
        {
            return ToScale(new StoredObject(type, next));
        }

        return ToScale(_store.Update(type, next, expectedResourceVersion));
    }

    /// <summary>The Scale view of a workload: its desired replicas, the replicas its status counts and its selector as a string.</summary>
    private static JsonObject ToScale(StoredObject workload)
    {
        var metadata = workload.Node["metadata"]!;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = workload.Name,
                ["namespace"] = workload.Namespace,
                ["uid"] = workload.Uid,
                ["resourceVersion"] = workload.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = workload.Node["spec"]?["replicas"]?.ToInt64() ?? 1 },
            ["status"] = new JsonObject
            {
                ["replicas"] = workload.Node["status"]?["replicas"]?.ToInt64() ?? 0,
                ["selector"] = SelectorString(workload.Node["spec"]?["selector"]),
            },
        };
    }

    // The selector as a label-selector string, as the Scale's status.selector carries it.
    private static string SelectorString(JsonNode? selector)
    {
        var parts = new List<string>();
        foreach (var (key, value) in selector?["matchLabels"] as JsonObject ?? [])
        {
            parts.Add($"{key}={value}");
        }

        foreach (var expression in selector?["matchExpressions"] as JsonArray ?? [])
        {
            var key = expression?["key"]?.ToString();
            var values = string.Join(",", (expression?["values"] as JsonArray ?? []).Select(v => v?.ToString()));
            parts.Add(expression?["operator"]?.ToString() switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "DoesNotExist" => $"!{key}",
                _ => key ?? string.Empty,
            });
        }

        return string.Join(",", parts);
    }
}
