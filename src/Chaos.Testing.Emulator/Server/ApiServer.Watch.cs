using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>
/// The watch stream's bookmarks: with <c>allowWatchBookmarks</c> a BOOKMARK event carries the current
/// resourceVersion now and then (every <see cref="BookmarkInterval"/>); with <c>sendInitialEvents=true</c> the current
/// objects arrive first as ADDED and a BOOKMARK annotated <c>k8s.io/initial-events-end: "true"</c> marks their end.
/// </content>
internal sealed partial class ApiServer
{
    /// <summary>How often a watch that allows bookmarks gets one (the API server sends one about every minute).</summary>
    internal static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(60);

    private async Task StreamAsync(
        HttpResponse response, ResourceStore.Subscription subscription, WatchOptions options, Func<StoreEvent, string?> translate, ResourceType type, CancellationToken cancellationToken)
    {
        var reader = subscription.Reader;
        var initialEnd = options.SendInitialEvents == true ? subscription.StartResourceVersion : (long?)null;
        if (initialEnd is { } start && !HasEventsUpTo(reader, start))
        {
            await WriteBookmarkAsync(response, type, start, initialEventsEnd: true, cancellationToken);
            initialEnd = null;
        }

        using var bookmarks = options.AllowBookmarks ? new PeriodicTimer(BookmarkInterval, _time) : null;
        var tick = bookmarks?.WaitForNextTickAsync(cancellationToken).AsTask();
        var lastSent = subscription.StartResourceVersion;
        Task<bool>? read = null;
        while (true)
        {
            // One wait for data at a time (the channel has a single reader): a bookmark tick leaves it pending.
            read ??= reader.WaitToReadAsync(cancellationToken).AsTask();
            var done = tick is null ? await read : await Task.WhenAny(read, tick) == read ? await read : (bool?)null;
            if (done is not null)
            {
                read = null;
            }

            if (done is null)
            {
                await WriteBookmarkAsync(response, type, Math.Max(lastSent, _store.ResourceVersion), initialEventsEnd: false, cancellationToken);
                tick = bookmarks!.WaitForNextTickAsync(cancellationToken).AsTask();
                continue;
            }

            if (done == false)
            {
                return;
            }

            while (reader.TryRead(out var e))
            {
                if (translate(e) is { } eventType)
                {
                    var json = VersionConversion.IsView(type) ? VersionConversion.ToView(type, e.Object.Json) : e.Object.Json;
                    await WriteEventAsync(response, eventType, json, cancellationToken);
                    lastSent = Math.Max(lastSent, e.Object.ResourceVersion);
                }

                if (initialEnd is { } end && !HasEventsUpTo(reader, end))
                {
                    await WriteBookmarkAsync(response, type, end, initialEventsEnd: true, cancellationToken);
                    initialEnd = null;
                }
            }
        }
    }

    /// <summary>Whether the next queued event is still one of the initial ones (at or before the watch's start).</summary>
    private static bool HasEventsUpTo(ChannelReader<StoreEvent> reader, long resourceVersion) =>
        reader.TryPeek(out var next) && next.Type == StoreEvent.Added && next.Object.ResourceVersion <= resourceVersion;

    private static async Task WriteBookmarkAsync(HttpResponse response, ResourceType type, long resourceVersion, bool initialEventsEnd, CancellationToken cancellationToken)
    {
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture), ["creationTimestamp"] = null };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        var bookmark = new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = metadata };
        await WriteEventAsync(response, "BOOKMARK", Encoding.UTF8.GetBytes(bookmark.ToJsonString()), cancellationToken);
    }

    /// <summary>The watch options of a request, checked as ValidateListOptions checks them (422 otherwise).</summary>
    private sealed record WatchOptions(bool AllowBookmarks, bool? SendInitialEvents)
    {
        public static WatchOptions Parse(IQueryCollection query)
        {
            var allow = QueryParameters.Bool(query, "allowWatchBookmarks");
            bool? initial = query.ContainsKey("sendInitialEvents") ? QueryParameters.Bool(query, "sendInitialEvents") : null;
            var match = query["resourceVersionMatch"].ToString();
            if (initial is null && match.Length > 0)
            {
                throw Invalid("resourceVersionMatch", match, "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
            }

            if (initial is not null && match != "NotOlderThan")
            {
                throw Invalid("resourceVersionMatch", match, "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
            }

            if (initial is not null && !allow)
            {
                throw Invalid("allowWatchBookmarks", "false", "sendInitialEvents requires setting allowWatchBookmarks to true");
            }

            return new WatchOptions(allow, initial);
        }

        private static ApiException Invalid(string field, string value, string detail) =>
            new(422, "Invalid", $"ListOptions.meta.k8s.io \"\" is invalid: {field}: Forbidden: {detail}");
    }
}
