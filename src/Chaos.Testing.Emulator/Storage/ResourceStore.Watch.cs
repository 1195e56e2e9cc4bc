using System.Globalization;
using System.Threading.Channels;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Storage;

/// <content>
/// Watches: the bounded history of changes a watch replays from, and the live subscribers every committed change is
/// published to (under the store's lock, so each subscriber sees changes in resourceVersion order).
/// </content>
internal sealed partial class ResourceStore
{
    private readonly StoreEvent?[] _history;
    private readonly List<Subscription> _subscribers = [];
    private long _compactedResourceVersion;
    private int _historyStart;
    private int _historyCount;

    /// <summary>
    /// Starts a watch. With no version (or "0") the current objects arrive first as ADDED; with a version the
    /// history after it is replayed, or 410 Gone when it has been compacted away.
    /// </summary>
    public Subscription Subscribe(ResourceType? type, string? resourceVersion, bool sendInitialEvents = true)
    {
        lock (_gate)
        {
            var replay = new List<StoreEvent>();
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                if (sendInitialEvents && type is not null)
                {
                    replay.AddRange(_objects[type].Values.Select(o => new StoreEvent(StoreEvent.Added, o, null)));
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

            var subscription = new Subscription(this, type, replay);
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

        foreach (var subscriber in _subscribers)
        {
            if (subscriber.Type is null || subscriber.Type == e.Object.Type)
            {
                subscriber.Writer.TryWrite(e);
            }
        }
    }

    /// <summary>A live feed of store events: the replayed ones first, then every later change.</summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly ResourceStore _store;
        private readonly Channel<StoreEvent> _channel = Channel.CreateUnbounded<StoreEvent>(new UnboundedChannelOptions { SingleReader = true });

        public Subscription(ResourceStore store, ResourceType? type, IReadOnlyList<StoreEvent> replay)
        {
            _store = store;
            Type = type;
            foreach (var e in replay)
            {
                _channel.Writer.TryWrite(e);
            }
        }

        public ResourceType? Type { get; }

        public ChannelWriter<StoreEvent> Writer => _channel.Writer;

        public ChannelReader<StoreEvent> Reader => _channel.Reader;

        public void Dispose()
        {
            _store.Unsubscribe(this);
            _channel.Writer.TryComplete();
        }
    }
}
