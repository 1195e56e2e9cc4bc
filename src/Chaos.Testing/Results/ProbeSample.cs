namespace Chaos.Testing;

/// <summary>One observation of a steady-state probe.</summary>
/// <param name="At">When it was observed.</param>
/// <param name="Held">Whether the steady state held.</param>
/// <param name="Observed">What was observed, e.g. <c>2 of 3 pods ready</c>.</param>
public sealed record ProbeSample(DateTimeOffset At, bool Held, string Observed);
