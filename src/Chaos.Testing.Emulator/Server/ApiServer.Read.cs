using System.Globalization;
using System.Text;
using System.Text.Json;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Storage;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>get, list and watch.</content>
internal sealed partial class ApiServer
{
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
        var next = remaining > 0 ? EncodeContinue(page[^1].Key) : null;

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

    private async Task WatchAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
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

        context.Response.StatusCode = 200;
        context.Response.ContentType = Json.ContentType;
        ResourceStore.Subscription subscription;
        try
        {
            subscription = _store.Subscribe(type, query["resourceVersion"]);
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
                await foreach (var e in subscription.Reader.ReadAllAsync(linked.Token))
                {
                    if (Translate(e, request.Namespace, labels, fields) is { } eventType)
                    {
                        await WriteEventAsync(context.Response, eventType, e.Object.Json, linked.Token);
                    }
                }
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

    private static string EncodeContinue(string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeContinue(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        }
        catch (FormatException)
        {
            throw ApiException.BadRequest($"invalid continue token \"{token}\": pass the metadata.continue value of the previous page unchanged");
        }
    }
}
