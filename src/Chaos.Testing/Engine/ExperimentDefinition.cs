using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>What the runner needs of a validated experiment; the DSL's <see cref="ChaosExperiment"/> builds it.</summary>
/// <param name="Binding">The fault bound to its targets.</param>
/// <param name="Duration">How long the fault holds.</param>
/// <param name="Probes">The steady-state probes.</param>
/// <param name="Safety">The guards, with the experiment's changes applied.</param>
/// <param name="DryRun">Whether to plan and guard only.</param>
/// <param name="EmitEvents">Whether to publish Kubernetes Events on the targets.</param>
/// <param name="Logger">Where to log; null for nowhere.</param>
/// <param name="Time">The clock.</param>
internal sealed record ExperimentDefinition(
    FaultBinding Binding,
    TimeSpan Duration,
    IReadOnlyList<SteadyStateProbe> Probes,
    SafetyOptions Safety,
    bool DryRun,
    bool EmitEvents,
    ILogger? Logger,
    TimeProvider Time)
{
    /// <summary>Gets e.g. <c>kill one of pods in shop with labels app=cart</c>.</summary>
    public string Description => Binding.Description;

    /// <summary>The progress interval of an experiment that sets none.</summary>
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary>Gets how often the hold logs its progress; <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
    public TimeSpan ProgressInterval { get; init; } = DefaultProgressInterval;
}
