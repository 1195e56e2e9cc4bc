namespace Chaos.Testing;

/// <summary>
/// The run of one manifest: this engine's outcome and full result, and the operator's status vocabulary (phase, message,
/// affected pods, cordoned and tainted nodes, retries, times) so that its users can compare.
/// </summary>
public sealed record ManifestRunResult
{
    /// <summary>Gets the manifest.</summary>
    public required ChaosManifest Manifest { get; init; }

    /// <summary>Gets how the run ended.</summary>
    public required ManifestOutcome Outcome { get; init; }

    /// <summary>Gets the operator's phase: <c>Completed</c>, <c>Failed</c>, <c>Paused</c> or <c>Pending</c> (not started: a window, a dependency).</summary>
    public required string Phase { get; init; }

    /// <summary>Gets a readable status message, as the operator's <c>status.message</c>.</summary>
    public required string Message { get; init; }

    /// <summary>Gets the experiment's result of the last attempt, or null when no attempt ran or it was refused.</summary>
    public ChaosResult? Result { get; init; }

    /// <summary>Gets the affected pods as the operator lists them: <c>namespace/pod</c>, with <c>:container</c> for an injected payload container.</summary>
    public IReadOnlyList<string> AffectedPods { get; init; } = [];

    /// <summary>Gets the nodes cordoned (node-drain).</summary>
    public IReadOnlyList<string> CordonedNodes { get; init; } = [];

    /// <summary>Gets the nodes tainted (node-taint).</summary>
    public IReadOnlyList<string> TaintedNodes { get; init; } = [];

    /// <summary>Gets how many times a failed injection was retried.</summary>
    public int RetryCount { get; init; }

    /// <summary>Gets the last error (a failed attempt's reason or a refusal), or null.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets when the first attempt started, or null when none did.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>Gets when the manifest was done.</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>Gets what a one-shot run does differently from the operator for this manifest (ignored schedule, hold).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"{Manifest.Key}: {Outcome} ({Phase}) {Message}";
}
