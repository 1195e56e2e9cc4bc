namespace Chaos.Testing.Tests.Support;

/// <summary>Real time shifted by <paramref name="offset"/>: a machine whose clock is wrong but runs at the right rate.</summary>
internal sealed class SkewedClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
