namespace Chaos.Testing;

/// <summary>How many of the eligible targets an experiment picks.</summary>
internal sealed record Selection(SelectionMode Mode, int Value, int? Seed)
{
    public static Selection One { get; } = new(SelectionMode.One, 1, null);

    /// <summary>Pick one, keeping the seed: the selection stages of pods and nodes share these.</summary>
    public Selection ToOne() => One with { Seed = Seed };

    /// <summary>Pick all, keeping the seed.</summary>
    public Selection ToAll() => new(SelectionMode.All, 0, Seed);

    /// <summary>Pick <paramref name="count"/>, keeping the seed.</summary>
    public Selection ToCount(int count) => new(SelectionMode.Count, count, Seed);

    /// <summary>Pick <paramref name="percent"/> percent, keeping the seed.</summary>
    public Selection ToPercent(int percent) => new(SelectionMode.Percent, percent, Seed);

    /// <summary>The number of targets to pick from <paramref name="eligible"/>. Percent rounds down, but never below one.</summary>
    public int CountOf(int eligible) => Mode switch
    {
        SelectionMode.One => Math.Min(1, eligible),
        SelectionMode.All => eligible,
        SelectionMode.Count => Math.Min(Value, eligible),
        SelectionMode.Percent => eligible == 0 ? 0 : Math.Max(1, eligible * Value / 100),
        _ => 0,
    };

    public void Validate(ICollection<string> errors)
    {
        if (Mode == SelectionMode.Count && Value < 1)
        {
            errors.Add($"Selection.Count: must be at least 1, was {Value}; use All() to pick every match.");
        }

        if (Mode == SelectionMode.Percent && Value is < 1 or > 100)
        {
            errors.Add($"Selection.Percent: must be between 1 and 100, was {Value}.");
        }
    }

    public override string ToString() => Mode switch
    {
        SelectionMode.One => "one",
        SelectionMode.All => "all",
        SelectionMode.Count => $"{Value}",
        SelectionMode.Percent => $"{Value}% (rounded down, at least one)",
        _ => Mode.ToString(),
    };
}

/// <summary>Selection modes.</summary>
internal enum SelectionMode
{
    One,
    All,
    Count,
    Percent,
}
