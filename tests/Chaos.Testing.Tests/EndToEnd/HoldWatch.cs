namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// The system's clock, which says when the engine starts waiting out the hold (a timer of the hold's length, less the
/// few seconds the probes' first sample after the injection took): the run is then in its hold.
/// </summary>
internal sealed class HoldWatch(TimeSpan hold) : TimeProvider
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a task that completes when the engine arms its hold timer.</summary>
    public Task Started => _started.Task;

    /// <summary>
    /// Waits until the run holds; throws with <paramref name="describe"/>'s text when the run ends first or
    /// <paramref name="timeout"/> passes.
    /// </summary>
    public async Task UntilHoldingAsync(Task<ChaosResult> run, TimeSpan timeout, Func<Task<string>> describe)
    {
        if (await Task.WhenAny(run, Started, Task.Delay(timeout)) != Started)
        {
            throw new InvalidOperationException(run.IsCompleted ? (await run).ToReport() : "the run did not reach its hold: " + await describe());
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime <= hold && dueTime > hold - TimeSpan.FromSeconds(30))
        {
            _started.TrySetResult();
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}
