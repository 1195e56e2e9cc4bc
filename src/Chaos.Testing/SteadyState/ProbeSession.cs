
namespace Chaos.Testing;

/// <summary>
/// A running probe: it observes in the background (watching or polling) and publishes a sample each time what it
/// sees changes. The engine asks it for the latest sample and waits on it, so it reacts at the event.
/// </summary>
internal abstract class ProbeSession : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<ProbeSample> _samples = [];
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private Exception? _failure;
    private Action<ProbeSample>? _observer;

    protected ProbeSession(TimeProvider time) => Time = time;

    protected TimeProvider Time { get; }

    public ProbeSample? Latest
    {
        get
        {
            lock (_gate)
            {
                return _samples.Count == 0 ? null : _samples[^1];
            }
        }
    }

    /// <summary>Gets or sets what is told each new sample as it is published, on the probe's own thread (the hold's progress log).</summary>
    public Action<ProbeSample>? Observer
    {
        get => Volatile.Read(ref _observer);
        set => Volatile.Write(ref _observer, value);
    }

    public IReadOnlyList<ProbeSample> Samples
    {
        get
        {
            lock (_gate)
            {
                return _samples.ToArray();
            }
        }
    }

    /// <summary>Starts observing and returns once the first sample is in.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        _loop = Task.Run(
            async () =>
            {
                try
                {
                    await RunAsync(_stopping.Token);
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    // Wake every waiter: a probe that cannot observe must fail loudly, not time out silently.
                    TaskCompletionSource changed;
                    lock (_gate)
                    {
                        _failure = ex;
                        changed = _changed;
                    }

                    changed.TrySetResult();
                }
            },
            CancellationToken.None);
        await WaitForAsync(_ => true, cancellationToken);
    }

    /// <summary>Waits for a sample (the latest, or a later one) that satisfies <paramref name="predicate"/>.</summary>
    public async Task<ProbeSample> WaitForAsync(Func<ProbeSample, bool> predicate, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_samples.Count > 0 && predicate(_samples[^1]))
                {
                    return _samples[^1];
                }

                if (_failure is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
        OnDisposed();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the session owns, after it stopped observing.</summary>
    protected virtual void OnDisposed()
    {
    }

    /// <summary>
    /// Returns once the latest sample reflects the cluster as it is now, not as it was before the last write: a
    /// watched probe lists again, a polled probe completes a fresh check. Called right after injection, so a
    /// stale "held" can never pass for recovery.
    /// </summary>
    public abstract Task SyncAsync(CancellationToken cancellationToken);

    /// <summary>Gets a task that completes when the observing loop has stopped (cancelled or failed).</summary>
    protected Task Stopped => _loop ?? Task.CompletedTask;

    /// <summary>Rethrows the failure that stopped the observing loop, if any.</summary>
    protected void ThrowIfFailed()
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
            }
        }
    }

    /// <summary>Takes what the probe compares against (e.g. the replica count before the fault).</summary>
    protected virtual Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Observes until cancelled, calling <see cref="Publish"/>.</summary>
    protected abstract Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Records what is observed now; a sample is added only when the verdict or the observation changes.</summary>
    protected void Publish(bool held, string observed)
    {
        TaskCompletionSource changed;
        ProbeSample sample;
        lock (_gate)
        {
            if (_samples.Count > 0 && _samples[^1].Held == held && _samples[^1].Observed == observed)
            {
                return;
            }

            sample = new ProbeSample(Time.GetUtcNow(), held, observed);
            _samples.Add(sample);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Observer?.Invoke(sample);
        changed.TrySetResult();
    }
}
