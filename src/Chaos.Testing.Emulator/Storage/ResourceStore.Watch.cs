using System.Globalization;
using System.Threading.Channels;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Storage;

/// <content>
/// Watches: the bounded history of changes a watch replays from, and the live subscribers every committed change is
/// published to (under the store's lock, so each subscriber sees changes in resourceVersion order). A bounded
/// subscriber whose queue is full is closed, as the API server closes a watcher too slow to keep up, instead of
/// holding every later change in memory; its client watches again.
/// </content>
internal sealed partial class ResourceStore
{
    private readonly StoreEvent?[] _history;
    private readonly List<Subscription> _subscribers = [];
    private long _compactedResourceVersion;
    private int _historyStart;
    private int _historyCount;
    private long _slowWatchersClosed;

    /// <summary>Gets how many changes a bounded subscriber may have waiting before it is closed.</summary>
    public int WatchQueueLimit { get; init; } = 10_000;

    /// <summary>Gets how many subscribers were closed because their queue was full.</summary>
    public long SlowWatchersClosed => Interlocked.Read(ref _slowWatchersClosed);

    /// <summary>
    /// Starts a watch. With no version (or "0") the current objects arrive first as ADDED; with a version the
    /// history after it is replayed, or 410 Gone when it has been compacted away.
    /// </summary>
    /// <param name="type">The type to watch, or null for every change (the controllers).</param>
    /// <param name="resourceVersion">Where to start.</param>
    /// <param name="sendInitialEvents">Whether a watch without a version starts with the current objects.</param>
    /// <param name="bounded">False only for the in-process controller loop, which reads without I/O.</param>
    public Subscription Subscribe(ResourceType? type, string? resourceVersion, bool sendInitialEvents = true, bool bounded = true)
    {
        lock (_gate)
        {
            var replay = new List<StoreEvent>();
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                if (sendInitialEvents && type is not null)
                {
                    replay.AddRange(Bucket(type).Values.Select(o => new StoreEvent(StoreEvent.Added, o, null)));
                }
            }
            else
            {
                if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    throw ApiException.BadRequest($"invalid resource version \"{resourceVersion}\": must be a decimal number");
                }

                if (from < _compactedResourceVersion)
                {
                    throw ApiException.Gone($"too old resource version: {from} ({_compactedResourceVersion})");
                }

                for (var i = 0; i < _historyCount; i++)
                {
                    var e = _history[(_historyStart + i) % _history.Length]!;
                    if (e.ResourceVersion > from && (type is null || e.Object.Type == type))
                    {
                        replay.Add(e);
                    }
                }
            }

            var subscription = new Subscription(this, type, replay, bounded ? WatchQueueLimit : null) { StartResourceVersion = _resourceVersion };
            _subscribers.Add(subscription);
            return subscription;
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }

    private void Publish(StoreEvent e)
    {
        if (_historyCount == _history.Length)
        {
            _compactedResourceVersion = _history[_historyStart]!.ResourceVersion;
            _history[_historyStart] = e;
            _historyStart = (_historyStart + 1) % _history.Length;
        }
        else
        {
            _history[(_historyStart + _historyCount) % _history.Length] = e;
            _historyCount++;
        }

        List<Subscription>? full = null;
        foreach (var subscriber in _subscribers)
        {
            if ((subscriber.Type is null || subscriber.Type == e.Object.Type) && !subscriber.Writer.TryWrite(e))
            {
                (full ??= []).Add(subscriber);
            }
        }

        foreach (var subscriber in full ?? [])
        {
            _subscribers.Remove(subscriber);
            subscriber.CloseAsTooSlow();
            Interlocked.Increment(ref _slowWatchersClosed);
        }
    }

    /// <summary>A live feed of store events: the replayed ones first, then every later change.</summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly ResourceStore _store;
        private readonly Channel<StoreEvent> _channel;
        private readonly CancellationTokenSource _closed = new();

        public Subscription(ResourceStore store, ResourceType? type, IReadOnlyList<StoreEvent> replay, int? limit)
        {
            _store = store;
            Type = type;

            // The replayed events do not count against the limit: a watch of many objects must be able to start.
            _channel = limit is { } live
                ? Channel.CreateBounded<StoreEvent>(
                    new BoundedChannelOptions(replay.Count + live) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait })
                : Channel.CreateUnbounded<StoreEvent>(new UnboundedChannelOptions { SingleReader = true });
            foreach (var e in replay)
            {
                _channel.Writer.TryWrite(e);
            }
        }

        public ResourceType? Type { get; }

        /// <summary>Gets the store's resourceVersion when the watch started: the replayed events are the state at it.</summary>
        public long StartResourceVersion { get; init; }

        public ChannelWriter<StoreEvent> Writer => _channel.Writer;

        public ChannelReader<StoreEvent> Reader => _channel.Reader;

        /// <summary>Gets whether the store closed this subscription because its queue was full.</summary>
        public bool ClosedAsTooSlow { get; private set; }

        /// <summary>Gets a token cancelled when the store closes this subscription as too slow.</summary>
        public CancellationToken Closed => _closed.Token;

        /// <summary>Ends the feed; called under the store's lock, so the reader is woken asynchronously.</summary>
        public void CloseAsTooSlow()
        {
            ClosedAsTooSlow = true;
            _channel.Writer.TryComplete();
            _ = _closed.CancelAsync();
        }

        public void Dispose()
        {
            _store.Unsubscribe(this);
            _channel.Writer.TryComplete();
        }
    }
}
