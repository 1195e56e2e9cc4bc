using System.Threading.Channels;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Runs the simulated control plane: every store change (and every due timer) wakes one loop that reconciles all
/// controllers in a fixed order until nothing changes. One loop means controllers never race each other; they
/// only race API clients, and the store's versions settle that.
/// </summary>
internal sealed class ControllerManager : IAsyncDisposable
{
    private readonly ResourceStore _store;
    private readonly TimeProvider _time;
    private readonly ControllerTimers _timers;
    private readonly IReadOnlyList<IController> _controllers;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _wakeGate = new();
    private ITimer? _wakeTimer;
    private DateTimeOffset? _armedWake;
    private ResourceStore.Subscription? _subscription;
    private Task? _feed;
    private Task? _loop;

    /// <summary>
    /// Creates a manager that runs <paramref name="controllers"/> in that order, on delays kept by <paramref name="timers"/>.
    /// </summary>
    public ControllerManager(ResourceStore store, TimeProvider time, ControllerTimers timers, IReadOnlyList<IController> controllers)
    {
        _store = store;
        _time = time;
        _timers = timers;
        _controllers = controllers;
    }

    /// <summary>Gets the last exception a controller threw, if any (the loop goes on; tests can assert it is null).</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Gets the name of the controller that threw <see cref="LastError"/>, if any.</summary>
    public string? LastFailedController { get; private set; }

    /// <summary>
    /// The emulator's control plane. The order matters: owners before their children, so that one pass carries a change
    /// as far as it can (a Deployment's ReplicaSet, then its pods, then their binding and start), and endpoints and
    /// budgets last, from the pods as the kubelet left them.
    /// </summary>
    /// <param name="store">The objects.</param>
    /// <param name="options">The kubelet's settings.</param>
    /// <param name="admission">Defaulting, for the workload controllers' pods.</param>
    /// <param name="runtime">
    /// The process runtime's kubelet and Service proxy, in place of the simulated kubelet; null for the simulated one.
    /// </param>
    public static ControllerManager Create(ResourceStore store, KubeletSettings options, Admission admission, (IController Kubelet, IController Proxy)? runtime = null)
    {
        var time = options.TimeProvider;
        var timers = new ControllerTimers();
        var payloads = new PayloadSimulation(store, options, timers);
        var events = new EventRecorder(store, time);
        IController[] controllers =
        [
            new NamespaceController(store),
            new GarbageCollector(store),
            new CustomResourceDefinitionController(store),
            new ServiceAccountController(store),
            new CronJobController(store, admission, timers, events),
            new JobController(store, admission, timers, events),
            new DeploymentController(store, admission, time, events),
            new ReplicaSetController(store, admission, events, timers),
            new StatefulSetController(store, admission),
            new DaemonSetController(store, admission),
            new Scheduler(store, time, events),
            new NoExecuteTaintManager(store, timers, events),
            runtime?.Kubelet ?? new Kubelet(store, options, timers, payloads, events),
            new EndpointsController(store),
            new EndpointSliceController(store, admission),
            .. runtime is { } r ? new[] { r.Proxy } : [],
            new DisruptionBudgetController(store, time),
        ];
        return new ControllerManager(store, time, timers, controllers);
    }

    public void Start()
    {
        // Unbounded: the loop only counts changes as wake-ups and reads them at once, and it must never be closed.
        _subscription = _store.Subscribe(
            null, _store.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), sendInitialEvents: false, bounded: false);
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
                // Arming the wake-up failed: the next change retries it, and it is reported.
                LastError = ex;
            }
        }
    }

    private void ReconcileAll()
    {
        var now = _time.GetUtcNow();
        _timers.BeginPass();
        foreach (var controller in _controllers)
        {
            try
            {
                controller.Reconcile(now);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed controller must not stop the others nor the control plane; it is retried on the next pass and reported.
                LastError = ex;
                LastFailedController = controller.Name;
            }
        }

        ArmWake();
    }

    // One timer at a time, for the earliest pending deadline. A timer that has fired no longer counts as armed,
    // even when it fired a tick before the clock reached its deadline (the next pass then arms a new one).
    // The delay is measured from the clock as it reads now, not from the pass's start: the clock may have moved
    // during the pass (a test's fake clock advanced as soon as it saw the pass's writes), and a delay taken from
    // the pass's start would put the wake-up past the deadline. For the same reason an armed deadline the clock has
    // already passed is armed again, and a clock that passes the deadline while the timer is made wakes the loop at once.
    private void ArmWake()
    {
        lock (_wakeGate)
        {
            var now = _time.GetUtcNow();
            if (_timers.NextWake is not { } wake || (_armedWake is { } armed && armed <= wake && armed > now))
            {
                return;
            }

            _wakeTimer?.Dispose();
            _armedWake = null;
            if (wake <= now)
            {
                Signal();
                return;
            }

            _armedWake = wake;
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
                wake - now,
                Timeout.InfiniteTimeSpan);
            if (_time.GetUtcNow() >= wake)
            {
                Signal();
            }
        }
    }
}
