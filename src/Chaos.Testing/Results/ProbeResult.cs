namespace Chaos.Testing;

/// <summary>What one steady-state probe saw over the experiment.</summary>
/// <param name="Name">The probe's name, e.g. <c>deployment shop/cart available</c>.</param>
/// <param name="Mode">When it was checked: before, during, after or a combination.</param>
/// <param name="Held">Whether it held everywhere it was checked.</param>
/// <param name="Failure">Why it did not hold, or null.</param>
/// <param name="TimeToRecovery">From injection to the steady state holding again (zero when it never broke), or null if it never recovered.</param>
/// <param name="Samples">Every observation, in order.</param>
public sealed record ProbeResult(
    string Name,
    string Mode,
    bool Held,
    string? Failure,
    TimeSpan? TimeToRecovery,
    IReadOnlyList<ProbeSample> Samples);
