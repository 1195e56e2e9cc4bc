using System.Threading.Channels;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Runs the simulated control plane: every store change (and every due timer) wakes one loop that reconciles all
/// controllers in a fixed order until nothing changes. One loop means controllers never race each other; they
/// only race API clients, and the store's versions settle that.
/// </summary>
internal sealed partial class ControllerManager : IAsyncDisposable
{
    private readonly ResourceStore _store;
    private readonly KubernetesEmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Admission _admission;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);
    private readonly object _wakeGate = new();
    private ITimer? _wakeTimer;
    private DateTimeOffset? _nextWake;
    private DateTimeOffset? _armedWake;
    private readonly HashSet<string> _managedEndpoints = new(StringComparer.Ordinal);
    private ResourceStore.Subscription? _subscription;
    private Task? _feed;
    private Task? _loop;

    public ControllerManager(ResourceStore store, KubernetesEmulatorOptions options, Admission admission)
    {
        _store = store;
        _options = options;
        _time = options.TimeProvider;
        _admission = admission;
    }

    /// <summary>Gets the last exception a reconcile pass threw, if any (the loop goes on; tests can assert it is null).</summary>
    public Exception? LastError { get; private set; }

    public void Start()
    {
        _subscription = _store.Subscribe(null, _store.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), sendInitialEvents: false);
        _feed = Task.Run(FeedAsync);
        _loop = Task.Run(LoopAsync);
        Signal();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _subscription?.Dispose();
        foreach (var task in new[] { _feed, _loop })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        lock (_wakeGate)
        {
            _wakeTimer?.Dispose();
        }
        _stopping.Dispose();
    }

    private void Signal() => _signal.Writer.TryWrite(true);

    private async Task FeedAsync()
    {
        await foreach (var _ in _subscription!.Reader.ReadAllAsync(_stopping.Token))
        {
            Signal();
        }
    }

    private async Task LoopAsync()
    {
        var token = _stopping.Token;
        while (await _signal.Reader.WaitToReadAsync(token))
        {
            _signal.Reader.TryRead(out _);
            try
            {
                ReconcileAll();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed pass must not stop the control plane; it is retried on the next change and reported.
                LastError = ex;
            }
        }
    }

    private void ReconcileAll()
    {
        var now = _time.GetUtcNow();
        _nextWake = null;
        ReconcileNamespaces();
        CollectGarbage();
        ReconcileDeployments();
        ReconcileReplicaSets();
        ReconcileStatefulSets();
        ReconcileDaemonSets();
        Schedule();
        EvictForNoExecuteTaints(now);
        RunKubelet(now);
        ReconcileEndpoints();
        ReconcileDisruptionBudgets();
        ArmWake(now);
    }

    /// <summary>True once <paramref name="delay"/> has passed since the first time <paramref name="key"/> was asked about; arms a wake-up until then.</summary>
    private bool IsDue(string key, TimeSpan delay, DateTimeOffset now)
    {
        if (!_due.TryGetValue(key, out var due))
        {
            due = now + delay;
            _due[key] = due;
        }

        if (now >= due)
        {
            return true;
        }

        if (_nextWake is null || due < _nextWake)
        {
            _nextWake = due;
        }

        return false;
    }

    /// <summary>Drops the timers of objects that are gone (keys end with the object's uid).</summary>
    private void PruneDue(HashSet<string> liveUids)
    {
        foreach (var key in _due.Keys.Where(k => !liveUids.Contains(k[(k.IndexOf(':', StringComparison.Ordinal) + 1)..])).ToList())
        {
            _due.Remove(key);
        }
    }

    // One timer at a time, for the earliest pending deadline. A timer that has fired no longer counts as armed,
    // even when it fired a tick before the clock reached its deadline (the next pass then arms a new one).
    private void ArmWake(DateTimeOffset now)
    {
        lock (_wakeGate)
        {
            if (_nextWake is not { } wake || (_armedWake is { } armed && armed <= wake))
            {
                return;
            }

            _armedWake = wake;
            _wakeTimer?.Dispose();
            var delay = wake - now;
            _wakeTimer = _time.CreateTimer(
                _ =>
                {
                    lock (_wakeGate)
                    {
                        _armedWake = null;
                    }

                    Signal();
                },
                null,
                delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay,
                Timeout.InfiniteTimeSpan);
        }
    }
}
