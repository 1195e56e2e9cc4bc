using System.Text;

namespace Chaos.Testing;

/// <summary>The results of a batch of manifests, in execution order.</summary>
/// <param name="Results">One result per manifest.</param>
public sealed record ManifestBatchResult(IReadOnlyList<ManifestRunResult> Results)
{
    /// <summary>Gets a value indicating whether every manifest passed, was a dry run, or was skipped as paused.</summary>
    public bool AllHeld => Results.All(r => r.Outcome is ManifestOutcome.Passed or ManifestOutcome.DryRun || (r.Outcome == ManifestOutcome.Skipped && r.Phase == "Paused"));

    /// <summary>A readable report: one line per manifest, its notes indented.</summary>
    /// <returns>Multi-line text.</returns>
    public string ToReport()
    {
        var text = new StringBuilder();
        foreach (var result in Results)
        {
            text.AppendLine(result.ToString());
            foreach (var note in result.Notes)
            {
                text.Append("  note: ").AppendLine(note);
            }
        }

        return text.ToString();
    }
}
