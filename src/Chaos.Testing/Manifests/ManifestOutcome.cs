namespace Chaos.Testing;

/// <summary>How one manifest's run ended, in this engine's terms (<see cref="ManifestRunResult.Phase"/> gives the operator's).</summary>
public enum ManifestOutcome
{
    /// <summary>Injected, held, recovered, and every steady-state probe held.</summary>
    Passed,

    /// <summary>Planned and guarded only (dry run): nothing was written.</summary>
    DryRun,

    /// <summary>The steady state broke, or the fault could not be injected (after every retry) or recovered.</summary>
    Failed,

    /// <summary>Stopped before a verdict: the steady state did not hold before injection, or the run was cancelled. Recovery ran.</summary>
    Aborted,

    /// <summary>Refused before any write: a safety guard, an empty selection, a time or maintenance window.</summary>
    Refused,

    /// <summary>Not run: paused, or a dependency did not complete.</summary>
    Skipped,
}
