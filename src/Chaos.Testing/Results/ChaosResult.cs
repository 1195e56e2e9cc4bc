using System.Text;

namespace Chaos.Testing;

/// <summary>
/// Everything an experiment did and saw: verdict, seed (to replay it), every affected object, the timeline,
/// probe samples, time-to-recovery and errors. Assert on it with <c>result.Should().HaveHeldSteadyState()</c>
/// or <see cref="ChaosResultExtensions.EnsureSteadyState(ChaosResult)"/>.
/// </summary>
public sealed record ChaosResult
{
    /// <summary>Gets the experiment id (also on the Kubernetes Events it wrote).</summary>
    public required string ExperimentId { get; init; }

    /// <summary>Gets a readable description of the experiment, e.g. <c>kill one of pods in shop with labels app=cart</c>.</summary>
    public required string Description { get; init; }

    /// <summary>Gets the verdict.</summary>
    public required ExperimentVerdict Verdict { get; init; }

    /// <summary>Gets the seed of the random pick; pass it to <c>WithSeed</c> to replay the run.</summary>
    public required int Seed { get; init; }

    /// <summary>Gets a value indicating whether this was a dry run (planned and guarded, nothing written).</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets when the experiment started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the experiment ended.</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>Gets every action on every object, in order.</summary>
    public IReadOnlyList<AffectedTarget> Affected { get; init; } = [];

    /// <summary>
    /// Gets the lifecycle phases in order, each with its start and end (a run that stopped early has fewer; a dry run
    /// only <c>plan</c>). The report's timeline chart draws them as bands.
    /// </summary>
    public IReadOnlyList<PhaseSpan> Phases { get; init; } = [];

    /// <summary>Gets the lifecycle timeline.</summary>
    public IReadOnlyList<TimelineEntry> Timeline { get; init; } = [];

    /// <summary>
    /// Gets every object that recovery could not restore (empty when the cluster was left as found). Each one still
    /// carries its ledger annotation, so <see cref="ChaosJanitor.SweepAsync(k8s.IKubernetes, SweepOptions?, CancellationToken)"/> restores it later.
    /// </summary>
    public IReadOnlyList<string> NotRecovered { get; init; } = [];

    /// <summary>Gets what each steady-state probe saw.</summary>
    public IReadOnlyList<ProbeResult> Probes { get; init; } = [];

    /// <summary>Gets the longest time-to-recovery of the probes, or null when none was measured or one never recovered.</summary>
    public TimeSpan? TimeToRecovery { get; init; }

    /// <summary>Gets errors met on the way (failed writes, recovery problems), each saying what is left.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Gets why the verdict is not Passed, or null.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Gets a value indicating whether the fault could not be injected (what was injected was recovered).</summary>
    internal bool InjectionFailed { get; init; }

    /// <summary>A readable report: verdict, seed, affected objects, probes and timeline.</summary>
    /// <returns>Multi-line text.</returns>
    public string ToReport()
    {
        var text = new StringBuilder();
        text.AppendLine($"Experiment {ExperimentId}: {Description}");
        text.AppendLine($"Verdict: {Verdict}{(DryRun ? " (dry run)" : string.Empty)}   seed: {Seed}   duration: {(FinishedAt - StartedAt).TotalSeconds:F2}s"
            + (TimeToRecovery is { } ttr ? $"   time to recovery: {ttr.TotalMilliseconds:F0} ms" : string.Empty));
        if (FailureReason is not null)
        {
            text.AppendLine($"Reason: {FailureReason}");
        }

        text.AppendLine($"Affected ({Affected.Count}):");
        foreach (var target in Affected)
        {
            text.AppendLine($"  {target}");
        }

        foreach (var probe in Probes)
        {
            text.AppendLine($"Probe \"{probe.Name}\" ({probe.Mode}): {(probe.Held ? "held" : "did not hold")}"
                + (probe.TimeToRecovery is { } t ? (t == TimeSpan.Zero ? ", never broke" : $", recovered in {t.TotalMilliseconds:F0} ms") : string.Empty)
                + (probe.Failure is null ? string.Empty : $" — {probe.Failure}"));
        }

        if (NotRecovered.Count > 0)
        {
            text.AppendLine($"Not recovered ({NotRecovered.Count}), left for ChaosJanitor.SweepAsync:");
            foreach (var left in NotRecovered)
            {
                text.AppendLine($"  {left}");
            }
        }

        foreach (var error in Errors)
        {
            text.AppendLine($"Error: {error}");
        }

        text.AppendLine("Timeline:");
        foreach (var entry in Timeline)
        {
            text.AppendLine($"  {entry}");
        }

        return text.ToString();
    }
}
