namespace Chaos.Testing;

/// <summary>A probe that checks at an interval (HTTP and custom probes).</summary>
internal sealed class PollingSession : ProbeSession
{
    private readonly TimeSpan _interval;
    private readonly Func<CancellationToken, Task<(bool Held, string Observed)>> _check;

    private readonly IDisposable? _owned;

    public PollingSession(TimeProvider time, TimeSpan interval, Func<CancellationToken, Task<(bool Held, string Observed)>> check, IDisposable? owned = null)
        : base(time)
    {
        _interval = interval;
        _check = check;
        _owned = owned;
    }

    private TaskCompletionSource _checked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override void OnDisposed() => _owned?.Dispose();

    public override async Task SyncAsync(CancellationToken cancellationToken)
    {
        // A check that started before this call may have seen the old state: wait for the one after it.
        var next = Volatile.Read(ref _checked).Task;
        await next.WaitAsync(cancellationToken);
        await Volatile.Read(ref _checked).Task.WaitAsync(cancellationToken);
    }

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            (bool Held, string Observed) outcome;
            try
            {
                outcome = await _check(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A probe that throws observes a broken steady state; the message is the observation.
                outcome = (false, $"{ex.GetType().Name}: {ex.Message}");
            }

            Publish(outcome.Held, outcome.Observed);
            Interlocked.Exchange(ref _checked, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            await Task.Delay(_interval, Time, cancellationToken);
        }
    }
}
