namespace Chaos.Testing;

/// <summary>One step of the experiment's lifecycle, in order.</summary>
/// <param name="At">When it happened.</param>
/// <param name="Phase">The lifecycle phase: plan, guard, check-before, inject, hold, recover, check-after, report.</param>
/// <param name="Message">What happened.</param>
public sealed record TimelineEntry(DateTimeOffset At, string Phase, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{At:HH:mm:ss.fff} {Phase,-12} {Message}";
}
