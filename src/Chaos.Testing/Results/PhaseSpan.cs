namespace Chaos.Testing;

/// <summary>One lifecycle phase of an experiment, from when it began until the next one began (or the run ended).</summary>
/// <param name="Name">The phase: <c>plan</c> (with its guards), <c>check-before</c>, <c>inject</c>, <c>hold</c>, <c>recover</c> or <c>check-after</c>.</param>
/// <param name="StartedAt">When the phase began.</param>
/// <param name="FinishedAt">When it ended.</param>
public sealed record PhaseSpan(string Name, DateTimeOffset StartedAt, DateTimeOffset FinishedAt)
{
    /// <summary>Gets how long the phase took.</summary>
    public TimeSpan Duration => FinishedAt - StartedAt;
}
