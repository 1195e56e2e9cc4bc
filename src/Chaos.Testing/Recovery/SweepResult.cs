using System.Text;

namespace Chaos.Testing;

/// <summary>What a janitor sweep found and did.</summary>
public sealed record SweepResult
{
    /// <summary>Gets each recovered ledger entry: object, experiment, fault and what was done.</summary>
    public IReadOnlyList<string> Recovered { get; init; } = [];

    /// <summary>Gets each ledger entry left alone because its run may still be running (and why).</summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>Gets each ledger entry that could not be recovered (and why); they stay for the next sweep.</summary>
    public IReadOnlyList<string> Failed { get; init; } = [];

    /// <summary>Gets a value indicating whether nothing is left to recover (no failure, nothing skipped).</summary>
    public bool IsClean => Failed.Count == 0 && Skipped.Count == 0;

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder($"Sweep: {Recovered.Count} recovered, {Skipped.Count} skipped, {Failed.Count} failed");
        foreach (var (label, items) in new[] { ("recovered", Recovered), ("skipped", Skipped), ("failed", Failed) })
        {
            foreach (var item in items)
            {
                text.AppendLine().Append("  ").Append(label).Append(": ").Append(item);
            }
        }

        return text.ToString();
    }
}
