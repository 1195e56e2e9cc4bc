using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Storage;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>get, list and watch.</content>
internal sealed partial class ApiServer
{
    private const string ContinueVersion = "meta.k8s.io/v1";
    private static readonly byte[] EventPrefix = "{\"type\":\""u8.ToArray();
    private static readonly byte[] EventMiddle = "\",\"object\":"u8.ToArray();
    private static readonly byte[] EventSuffix = "}\n"u8.ToArray();

    private async Task GetAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var stored = _store.GetRequired(request.Type!, request.Namespace, request.Name!);
        if (WantsTable(context.Request))
        {
            await Json.WriteAsync(context.Response, 200, Tables.Build(request.Type!, [stored], _store.ResourceVersion, _time.GetUtcNow()), cancellationToken);
            return;
        }

        await Json.WriteRawAsync(context.Response, 200, stored.Json, cancellationToken);
    }

    private async Task ListAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var type = request.Type!;
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type);
        var (items, resourceVersion) = _store.List(type, request.Namespace, o => labels.Matches(o.Labels) && fields.Matches(o.Node));

        var start = 0;
        if (query["continue"].ToString() is { Length: > 0 } token)
        {
            var lastKey = DecodeContinue(token);
            start = items.Count(o => string.CompareOrdinal(o.Key, lastKey) <= 0);
        }

        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var page = items.Skip(start).Take(limit).ToList();
        var remaining = items.Count - start - page.Count;
        var next = remaining > 0 ? EncodeContinue(page[^1].Key, resourceVersion) : null;

        if (WantsTable(context.Request))
        {
            var table = Tables.Build(type, page, resourceVersion, _time.GetUtcNow());
            if (next is not null)
            {
                table["metadata"]!["continue"] = next;
            }

            await Json.WriteAsync(context.Response, 200, table, cancellationToken);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = Json.ContentType;
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("kind", type.ListKind);
        writer.WriteString("apiVersion", type.ApiVersion);
        writer.WriteStartObject("metadata");
        writer.WriteString("resourceVersion", resourceVersion.ToString(CultureInfo.InvariantCulture));
        if (next is not null)
        {
            writer.WriteString("continue", next);
            writer.WriteNumber("remainingItemCount", remaining);
        }

        writer.WriteEndObject();
        writer.WriteStartArray("items");
        foreach (var item in page)
        {
            writer.WriteRawValue(item.Json, skipInputValidation: true);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Streams changes; with <paramref name="view"/> each object is sent as that version (a type served from another's objects).</summary>
    private async Task WatchAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken, ResourceType? view = null)
    {
        var type = request.Type!;
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type);
        if (request.Name is not null)
        {
            fields = FieldSelector.Parse($"metadata.name={request.Name}", type);
        }

        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : Timeout.InfiniteTimeSpan;

        var options = WatchOptions.Parse(query);
        context.Response.StatusCode = 200;
        context.Response.ContentType = Json.ContentType;
        ResourceStore.Subscription subscription;
        try
        {
            subscription = options.SendInitialEvents is { } initial
                ? _store.Subscribe(type, null, sendInitialEvents: initial)
                : _store.Subscribe(type, query["resourceVersion"]);
        }
        catch (ApiException ex) when (ex.Code == 410)
        {
            // Like the watch cache: once the request is accepted, a too-old version is reported as an ERROR event.
            await WriteEventAsync(context.Response, "ERROR", Encoding.UTF8.GetBytes(ex.ToStatus().ToJsonString()), cancellationToken);
            return;
        }

        using (subscription)
        using (var timeoutSource = new CancellationTokenSource(timeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token, subscription.Closed))
        {
            await context.Response.StartAsync(cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            try
            {
                await StreamAsync(context.Response, subscription, options, e => Translate(e, request.Namespace, labels, fields), view ?? type, linked.Token);
            }
            catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // timeoutSeconds elapsed: end the stream normally, as the real server does.
            }
            catch (OperationCanceledException) when (subscription.ClosedAsTooSlow && !cancellationToken.IsCancellationRequested)
            {
                // The watcher fell too far behind (its queue filled up while it did not read): close the connection, as
                // the real server closes an unresponsive watcher; the client starts a new watch.
                context.Abort();
            }
        }
    }

    /// <summary>
    /// What a filtered watcher sees: an object that starts to match arrives as ADDED, one that stops matching
    /// leaves as DELETED, and changes outside the filter are not seen at all.
    /// </summary>
    private static string? Translate(StoreEvent e, string? ns, LabelSelector labels, FieldSelector fields)
    {
        if (ns is not null && e.Object.Namespace != ns)
        {
            return null;
        }

        bool Matches(StoredObject? o) => o is not null && labels.Matches(o.Labels) && fields.Matches(o.Node);

        if (e.Type == StoreEvent.Deleted)
        {
            return Matches(e.Object) || Matches(e.Previous) ? StoreEvent.Deleted : null;
        }

        var now = Matches(e.Object);
        var before = e.Type == StoreEvent.Modified && Matches(e.Previous);
        return (now, before) switch
        {
            (true, true) => StoreEvent.Modified,
            (true, false) => StoreEvent.Added,
            (false, true) => StoreEvent.Deleted,
            _ => null,
        };
    }

    private static async Task WriteEventAsync(HttpResponse response, string type, byte[] json, CancellationToken cancellationToken)
    {
        var body = response.Body;
        await body.WriteAsync(EventPrefix, cancellationToken);
        await body.WriteAsync(Encoding.UTF8.GetBytes(type), cancellationToken);
        await body.WriteAsync(EventMiddle, cancellationToken);
        await body.WriteAsync(json, cancellationToken);
        await body.WriteAsync(EventSuffix, cancellationToken);
        await body.FlushAsync(cancellationToken);
    }

    private static bool WantsTable(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    /// <summary>
    /// The continue token, shaped like the API server's: base64url of <c>{"v":"meta.k8s.io/v1","rv":..,"start":..}</c>
    /// (the key after which the next page starts, and the version of the list it continues).
    /// </summary>
    private static string EncodeContinue(string key, long resourceVersion)
    {
        var json = new JsonObject { ["v"] = ContinueVersion, ["rv"] = resourceVersion, ["start"] = key + "\u0000" }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Reads a continue token; anything the server did not hand out is a 400, as on the real server.</summary>
    private static string DecodeContinue(string token)
    {
        string json;
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            json = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        }
        catch (FormatException ex)
        {
            throw ApiException.BadRequest($"invalid continue token: continue key is not valid: {ex.Message}");
        }

        JsonObject? parsed;
        try
        {
            parsed = JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            parsed = null;
        }

        if (parsed?["v"]?.ToString() != ContinueVersion
            || parsed["rv"] is not JsonValue rv || !rv.TryGetValue<long>(out var version) || version <= 0
            || parsed["start"]?.ToString() is not { Length: > 0 } start || !start.EndsWith('\u0000'))
        {
            throw ApiException.BadRequest("invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }

        return start[..^1];
    }
}
