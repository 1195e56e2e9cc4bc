using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Validation;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>delete and deletecollection, with graceful deletion for pods.</content>
internal sealed partial class ApiServer
{
    private async Task DeleteAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var options = await ReadDeleteOptionsAsync(context.Request, cancellationToken);
        var current = _store.GetRequired(request.Type!, request.Namespace, request.Name!);
        var (code, body) = Delete(current, options, IsDryRun(context.Request) || options.DryRun);
        await Json.WriteAsync(context.Response, code, body, cancellationToken);
    }

    private async Task DeleteCollectionAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var type = request.Type!;
        var options = await ReadDeleteOptionsAsync(context.Request, cancellationToken);
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"], type);
        var (items, _) = _store.List(type, request.Namespace, o => labels.Matches(o.Labels) && fields.Matches(o.Node));
        var dryRun = IsDryRun(context.Request) || options.DryRun;
        var deleted = new JsonArray();
        foreach (var item in items)
        {
            try
            {
                var (_, body) = Delete(item, options, dryRun);
                deleted.Add(body["kind"]?.ToString() == "Status" ? item.Clone() : body);
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                // Deleted by someone else meanwhile: the collection is still gone.
            }
        }

        await Json.WriteAsync(context.Response, 200, new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = _store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = deleted,
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes one object. Pods on a node terminate gracefully (deletionTimestamp now, removal by the kubelet);
    /// objects with finalizers wait for them; everything else goes at once. Dependents go through the garbage collector.
    /// </summary>
    private (int Code, JsonObject Body) Delete(StoredObject current, DeleteOptions options, bool dryRun)
    {
        var type = current.Type;
        if (options.Uid is not null && options.Uid != current.Uid)
        {
            throw new ApiException(409, "Conflict", $"Precondition failed: UID in precondition: {options.Uid}, UID in object meta: {current.Uid}");
        }

        if (options.ResourceVersion is not null && options.ResourceVersion != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new ApiException(409, "Conflict", $"Precondition failed: ResourceVersion in precondition: {options.ResourceVersion}, ResourceVersion in object meta: {current.ResourceVersion}");
        }

        if (dryRun)
        {
            return (200, type.ReturnsDeletedObject ? current.Clone() : Json.Success(type, current.Name, current.Uid));
        }

        if (options.PropagationPolicy == "Orphan")
        {
            Orphan(current);
        }

        StoredObject? result;
        var hasFinalizers = current.Node["metadata"]?["finalizers"] is JsonArray { Count: > 0 };
        if (type == ResourceTypes.Pods)
        {
            var grace = options.GracePeriodSeconds ?? current.Node["spec"]?["terminationGracePeriodSeconds"]?.ToInt64() ?? 30;
            var phase = current.Node["status"]?["phase"]?.ToString();
            var unscheduled = string.IsNullOrEmpty(current.Node["spec"]?["nodeName"]?.ToString());
            if ((grace <= 0 || unscheduled || phase is "Succeeded" or "Failed") && !hasFinalizers && Foreground(options) is null)
            {
                result = _store.Remove(type, current.Namespace, current.Name) ?? throw ApiException.NotFound(type, current.Name);
                return (200, result.Clone());
            }

            var ended = unscheduled || phase is "Succeeded" or "Failed";
            result = _store.MarkDeleting(type, current, ended ? 0 : Math.Max(grace, 0), Foreground(options));
            return (200, result.Clone());
        }

        if (type == ResourceTypes.Namespaces || hasFinalizers || Foreground(options) is not null)
        {
            result = _store.MarkDeleting(type, current, 0, type == ResourceTypes.Namespaces ? null : Foreground(options));
            if (type == ResourceTypes.Namespaces)
            {
                result = _store.Mutate(type, null, current.Name, o =>
                {
                    o["status"] = new JsonObject { ["phase"] = "Terminating" };
                    return true;
                }) ?? result;
            }

            return (200, result.Clone());
        }

        result = _store.Remove(type, current.Namespace, current.Name) ?? throw ApiException.NotFound(type, current.Name);
        return (200, type.ReturnsDeletedObject ? result.Clone() : Json.Success(type, current.Name, current.Uid));
    }

    // Foreground propagation: the owner stays, with the foregroundDeletion finalizer, until the garbage collector has
    // deleted its dependents.
    private static string? Foreground(DeleteOptions options) => options.PropagationPolicy == "Foreground" ? "foregroundDeletion" : null;

    private void Orphan(StoredObject owner)
    {
        foreach (var type in ResourceTypes.All.Where(t => t.Namespaced && t.Verbs.Contains("list")))
        {
            var (dependents, _) = _store.List(type, owner.Namespace, o => OwnerUids(o).Contains(owner.Uid));
            foreach (var dependent in dependents)
            {
                _store.Mutate(type, dependent.Namespace, dependent.Name, o =>
                {
                    var refs = o["metadata"]!["ownerReferences"]!.AsArray();
                    foreach (var reference in refs.Where(r => r?["uid"]?.ToString() == owner.Uid).ToList())
                    {
                        refs.Remove(reference);
                    }

                    return true;
                });
            }
        }
    }

    internal static IEnumerable<string> OwnerUids(StoredObject o) =>
        (o.Node["metadata"]?["ownerReferences"] as JsonArray ?? []).Select(r => r?["uid"]?.ToString() ?? string.Empty);

    private static async Task<DeleteOptions> ReadDeleteOptionsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonNode? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            body = await Json.ReadBodyAsync(request, cancellationToken) as JsonObject
                ?? throw ApiException.BadRequest("the DeleteOptions body must be a JSON object");
            ObjectSchema.CheckBody(typeof(V1DeleteOptions), "DeleteOptions", body);
        }

        long? grace = body?["gracePeriodSeconds"]?.ToInt64();
        if (long.TryParse(request.Query["gracePeriodSeconds"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fromQuery))
        {
            grace = fromQuery;
        }

        var propagation = request.Query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : body?["propagationPolicy"]?.ToString();
        if (propagation is not (null or "Orphan" or "Background" or "Foreground"))
        {
            throw ApiException.BadRequest($"propagationPolicy \"{propagation}\" is not supported: use Orphan, Background or Foreground");
        }

        var dryRun = (body?["dryRun"] as JsonArray)?.Any(d => d?.ToString() == "All") == true;
        return new DeleteOptions(
            grace,
            propagation,
            body?["preconditions"]?["uid"]?.ToString(),
            body?["preconditions"]?["resourceVersion"]?.ToString(),
            dryRun);
    }

    private sealed record DeleteOptions(long? GracePeriodSeconds, string? PropagationPolicy, string? Uid, string? ResourceVersion, bool DryRun);
}
