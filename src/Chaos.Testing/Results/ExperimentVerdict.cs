namespace Chaos.Testing;

/// <summary>How an experiment ended.</summary>
public enum ExperimentVerdict
{
    /// <summary>The fault was injected and recovered, and every steady-state probe held.</summary>
    Passed,

    /// <summary>A steady-state probe did not hold (during the fault or after it within its deadline), or the fault could not be injected or recovered.</summary>
    Failed,

    /// <summary>The experiment stopped before its verdict: the hypothesis did not hold before injection, or it was cancelled. Recovery still ran.</summary>
    Aborted,
}
