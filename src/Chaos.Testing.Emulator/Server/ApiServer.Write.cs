using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Patching;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Validation;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>create, update and patch.</content>
internal sealed partial class ApiServer
{
    private const int PatchAttempts = 8;

    private async Task CreateAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var type = request.Type!;
        if (request.Subresource == "eviction")
        {
            await EvictAsync(context, request, cancellationToken);
            return;
        }

        if (request.Name is not null)
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource (post {type}/{request.Name})");
        }

        var obj = await Json.ReadObjectAsync(context.Request, cancellationToken);
        ObjectSchema.CheckBody(type, obj);
        CheckKind(type, obj);
        if (type == ResourceTypes.SelfSubjectAccessReviews)
        {
            await Json.WriteAsync(context.Response, 201, Review(obj), cancellationToken);
            return;
        }

        if (type == ResourceTypes.SelfSubjectReviews || type == ResourceTypes.SelfSubjectReviewsV1Beta1)
        {
            await Json.WriteAsync(context.Response, 201, WhoAmI(type, obj), cancellationToken);
            return;
        }

        var created = Create(type, request.Namespace, obj, IsDryRun(context.Request));
        await Json.WriteRawAsync(context.Response, 201, created.Json, cancellationToken);
    }

    /// <summary>Creates an object through validation and admission (also used to apply manifests in process).</summary>
    internal Task CreateAsync(ResourceType type, string? ns, JsonObject obj, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Create(type, ns, obj, dryRun: false);
        return Task.CompletedTask;
    }

    private StoredObject Create(ResourceType type, string? requestNamespace, JsonObject obj, bool dryRun)
    {
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj.Put("metadata", metadata);
        if (type.Namespaced)
        {
            var bodyNamespace = metadata["namespace"]?.ToString();
            if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != requestNamespace)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = requestNamespace;
            var ns = _store.Get(ResourceTypes.Namespaces, null, requestNamespace!) ?? throw ApiException.NotFound(ResourceTypes.Namespaces, requestNamespace!);
            if (ns.Terminating)
            {
                throw ApiException.NamespaceTerminating(type, metadata["name"]?.ToString(), requestNamespace!);
            }
        }

        ObjectValidator.ValidateCreate(type, obj);
        _admission.Apply(type, obj);
        if (dryRun)
        {
            metadata["name"] ??= (metadata["generateName"]?.ToString() ?? string.Empty) + "dryrun";
            return new StoredObject(type, obj);
        }

        return _store.Create(type, obj);
    }


    private async Task UpdateAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var obj = await Json.ReadObjectAsync(context.Request, cancellationToken);
        ObjectSchema.CheckBody(request.Type!, obj);
        CheckKind(request.Type!, obj);
        CheckIdentity(request, obj);
        var expected = obj["metadata"]?["resourceVersion"]?.ToString();
        var result = Replace(request, obj, expected, IsDryRun(context.Request));
        await Json.WriteRawAsync(context.Response, 200, result.Json, cancellationToken);
    }

    private async Task PatchAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var type = request.Type!;
        var kind = PatchTypes.Parse(context.Request.ContentType)
            ?? throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {PatchTypes.JsonPatch}, {PatchTypes.MergePatch}, {PatchTypes.StrategicMergePatch}, {PatchTypes.ApplyPatch}");
        if (kind == PatchKind.Apply)
        {
            await ApplyAsync(context, request, cancellationToken);
            return;
        }

        var patch = await Json.ReadBodyAsync(context.Request, cancellationToken);
        var dryRun = IsDryRun(context.Request);
        for (var attempt = 1; ; attempt++)
        {
            var current = _store.GetRequired(type, request.Namespace, request.Name!);
            var patched = PatchEngine.Apply(kind, current.Clone(), patch, type.Kind) as JsonObject
                ?? throw ApiException.BadRequest("the patch must leave a JSON object");
            ObjectSchema.CheckPatched(type, request.Name!, patched, patch);
            CheckIdentity(request, patched);

            // A patch that names a resourceVersion is a precondition; otherwise the server retries on conflicts itself.
            var expected = patched["metadata"]?["resourceVersion"]?.ToString();
            var precondition = expected != current.ResourceVersion.ToString(CultureInfo.InvariantCulture) ? expected : null;
            try
            {
                var result = Replace(request, patched, precondition ?? current.ResourceVersion.ToString(CultureInfo.InvariantCulture), dryRun);
                await Json.WriteRawAsync(context.Response, 200, result.Json, cancellationToken);
                return;
            }
            catch (ApiException ex) when (ex.Code == 409 && precondition is null && attempt < PatchAttempts)
            {
                // Someone else wrote in between: read again and re-apply, as GuaranteedUpdate does.
            }
        }
    }

    /// <summary>The shared tail of update and patch: subresource rules, validation, then the store.</summary>
    private StoredObject Replace(RequestInfo request, JsonObject obj, string? expectedResourceVersion, bool dryRun)
    {
        var type = request.Type!;
        var current = _store.GetRequired(type, request.Namespace, request.Name!);
        JsonObject next;
        switch (request.Subresource)
        {
            case "status":
                next = current.Clone();
                next["status"] = obj["status"]?.DeepClone();
                CopyResourceVersion(obj, next);
                break;
            case "ephemeralcontainers":
                ObjectValidator.ValidateEphemeralContainers(obj, current.Node);
                next = current.Clone();
                next["spec"]!["ephemeralContainers"] = obj["spec"]?["ephemeralContainers"]?.DeepClone();
                CopyResourceVersion(obj, next);
                break;
            case "finalize":
                next = current.Clone();
                next["spec"] = obj["spec"]?.DeepClone();
                CopyResourceVersion(obj, next);
                break;
            case null:
                next = obj;
                if (type.HasStatus)
                {
                    next["status"] = current.Node["status"]?.DeepClone();
                }

                Admission.DefaultOnWrite(type, next);
                ObjectValidator.ValidateUpdate(type, next, current);
                break;
            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({request.Verb} {type.Plural}/{request.Subresource})");
        }

        if (dryRun)
        {
            if (!string.IsNullOrEmpty(expectedResourceVersion) && expectedResourceVersion != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(type, current.Name);
            }

            return new StoredObject(type, next);
        }

        return _store.Update(type, next, expectedResourceVersion);
    }

    private static void CopyResourceVersion(JsonObject from, JsonObject to)
    {
        if (from["metadata"]?["resourceVersion"] is { } version)
        {
            to["metadata"]!["resourceVersion"] = version.DeepClone();
        }
    }

    private static void CheckIdentity(RequestInfo request, JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject ?? throw ApiException.BadRequest("metadata is required");
        var name = metadata["name"]?.ToString();
        if (name != request.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({name}) does not match the name on the URL ({request.Name})");
        }

        if (request.Type!.Namespaced)
        {
            var ns = metadata["namespace"]?.ToString();
            if (!string.IsNullOrEmpty(ns) && ns != request.Namespace)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = request.Namespace;
        }
    }

    private static void CheckKind(ResourceType type, JsonObject obj)
    {
        var kind = obj["kind"]?.ToString();
        var apiVersion = obj["apiVersion"]?.ToString();
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind && kind is not ("Eviction" or "DeleteOptions"))
        {
            throw ApiException.BadRequest($"the kind of the provided object ({kind}) does not match the resource of the URL ({type.Kind}); send a {type.Kind}");
        }

        if (!string.IsNullOrEmpty(apiVersion) && !string.IsNullOrEmpty(kind) && kind == type.Kind && apiVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest($"the apiVersion of the provided object ({apiVersion}) is not served for {type.Kind}; use {type.ApiVersion}");
        }
    }

    private static bool IsDryRun(HttpRequest request) => request.Query["dryRun"].Contains("All");

    private JsonObject Review(JsonObject review)
    {
        var attributes = review["spec"]?["resourceAttributes"];
        var allowed = true;
        var reason = string.Empty;
        if (attributes is not null)
        {
            var verb = attributes["verb"]?.ToString() ?? string.Empty;
            var resource = attributes["resource"]?.ToString() ?? string.Empty;
            var subresource = attributes["subresource"]?.ToString();
            allowed = _authorization.IsAllowed(verb, resource, string.IsNullOrEmpty(subresource) ? null : subresource, attributes["namespace"]?.ToString());
            reason = allowed ? "allowed by the emulator" : "denied by an ApiAuthorization rule of the emulator";
        }

        review["status"] = new JsonObject { ["allowed"] = allowed, ["reason"] = reason };
        review["kind"] = "SelfSubjectAccessReview";
        review["apiVersion"] = "authorization.k8s.io/v1";
        review["metadata"] ??= new JsonObject();
        review["metadata"]!["creationTimestamp"] = null;
        return review;
    }

    /// <summary>A SelfSubjectReview answered with the emulator's one user, an administrator as in a kind cluster.</summary>
    private static JsonObject WhoAmI(ResourceType type, JsonObject review)
    {
        review["kind"] = type.Kind;
        review["apiVersion"] = type.ApiVersion;
        review["metadata"] ??= new JsonObject();
        review["metadata"]!["creationTimestamp"] = null;
        review["status"] = new JsonObject
        {
            ["userInfo"] = new JsonObject
            {
                ["username"] = ApiAuthorization.UserName,
                ["groups"] = new JsonArray("system:masters", "system:authenticated"),
            },
        };
        return review;
    }
}
