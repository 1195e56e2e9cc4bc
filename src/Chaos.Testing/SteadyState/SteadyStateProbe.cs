namespace Chaos.Testing;

/// <summary>
/// A steady-state hypothesis and when it is checked. Create one with <see cref="SteadyState"/>; choose when it is
/// checked with <see cref="Before"/>, <see cref="During(double)"/>, <see cref="RecoversWithin(TimeSpan)"/> or
/// <see cref="BeforeAndAfter(TimeSpan)"/> (they combine). Without a choice it is checked before and after, with
/// a 60 second deadline. Immutable.
/// </summary>
public sealed record SteadyStateProbe
{
    internal SteadyStateProbe(string name, Func<ProbeRuntime, ProbeSession> createSession, IReadOnlyList<string> errors)
    {
        Name = name;
        CreateSession = createSession;
        Errors = errors;
    }

    /// <summary>Gets the probe's name, used in results and failure messages.</summary>
    public string Name { get; }

    internal Func<ProbeRuntime, ProbeSession> CreateSession { get; }

    internal IReadOnlyList<string> Errors { get; }

    internal ProbeModes Modes { get; init; }

    internal TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);

    internal double Tolerance { get; init; }

    internal ProbeModes EffectiveModes => Modes == ProbeModes.None ? ProbeModes.Before | ProbeModes.After : Modes;

    /// <summary>Checks the hypothesis before injection; when it does not hold, the experiment is aborted and nothing is injected.</summary>
    /// <returns>A new probe.</returns>
    public SteadyStateProbe Before() => this with { Modes = Modes | ProbeModes.Before };

    /// <summary>Checks the hypothesis continuously while the fault is held.</summary>
    /// <param name="tolerance">The share of the hold (0 to 1, by time) it may be broken; 0 means never.</param>
    /// <returns>A new probe.</returns>
    public SteadyStateProbe During(double tolerance = 0) => this with { Modes = Modes | ProbeModes.During, Tolerance = tolerance };

    /// <summary>Requires the hypothesis to hold again within <paramref name="deadline"/> after the fault is recovered; time-to-recovery is measured from injection.</summary>
    /// <param name="deadline">More than zero.</param>
    /// <returns>A new probe.</returns>
    public SteadyStateProbe RecoversWithin(TimeSpan deadline) => this with { Modes = Modes | ProbeModes.After, Deadline = deadline };

    /// <summary>Checks before injection (abort when broken) and requires recovery within <paramref name="deadline"/> after the fault.</summary>
    /// <param name="deadline">More than zero.</param>
    /// <returns>A new probe.</returns>
    public SteadyStateProbe BeforeAndAfter(TimeSpan deadline) => this with { Modes = Modes | ProbeModes.Before | ProbeModes.After, Deadline = deadline };

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({DescribeModes()})";

    internal string DescribeModes()
    {
        var modes = EffectiveModes;
        var parts = new List<string>();
        if (modes.HasFlag(ProbeModes.Before))
        {
            parts.Add("before");
        }

        if (modes.HasFlag(ProbeModes.During))
        {
            parts.Add(Tolerance > 0 ? $"during (tolerance {Formatting.Percent(Tolerance)})" : "during");
        }

        if (modes.HasFlag(ProbeModes.After))
        {
            parts.Add($"recovers within {Deadline.TotalSeconds:0.###}s");
        }

        return string.Join(", ", parts);
    }

    internal void Validate(ICollection<string> errors)
    {
        foreach (var error in Errors)
        {
            errors.Add(error);
        }

        if (Deadline <= TimeSpan.Zero || Deadline > TimeSpan.FromHours(24))
        {
            errors.Add($"Probe \"{Name}\".Deadline: must be more than 0 and at most 24 hours, was {Deadline}.");
        }

        if (Tolerance is < 0 or > 1 || double.IsNaN(Tolerance))
        {
            errors.Add($"Probe \"{Name}\".Tolerance: must be between 0 and 1 (a share of the hold), was {Tolerance.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }
}
