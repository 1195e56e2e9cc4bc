namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>
/// The system clock, with timers that fire 1 ms before their due time as <see cref="TimeProvider.GetUtcNow"/>
/// sees it. <see cref="System.Threading.Timer"/> does that by itself for a third to a half of due times with a
/// fraction of a millisecond (it truncates them), so this reproduces that case deterministically.
/// </summary>
public sealed class EarlyTimeProvider : TimeProvider
{
    private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(1);

    private EarlyTimeProvider()
    {
    }

    public static EarlyTimeProvider Instance { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime > Early ? dueTime - Early : dueTime, period);
}
