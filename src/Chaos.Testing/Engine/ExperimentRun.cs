namespace Chaos.Testing;

/// <summary>
/// The state of one run as it moves through the phases: each phase reads and changes it, and the report is made of it.
/// Only the runner's phases touch it, one at a time.
/// </summary>
internal sealed class ExperimentRun(ExperimentDefinition definition, string id, int seed, FaultContext context, PlannedFault planned)
{
    public ExperimentDefinition Definition { get; } = definition;

    public string Id { get; } = id;

    public int Seed { get; } = seed;

    public FaultContext Context { get; } = context;

    public PlannedFault Planned { get; } = planned;

    public ExperimentRecorder Recorder => Context.Recorder;

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets the run's spans and measurements.</summary>
    public RunTelemetry? Telemetry { get; init; }

    /// <summary>Gets the probes' sessions, started before injection.</summary>
    public List<(SteadyStateProbe Probe, ProbeSession Session)> Sessions { get; } = [];

    private readonly List<(string Name, DateTimeOffset At)> _phaseStarts = [];
    private string _phase = "check-before";

    /// <summary>Gets or sets the phase now running (named in a cancellation's reason); setting it marks when the phase began.</summary>
    public string Phase
    {
        get => _phase;
        set
        {
            _phase = value;
            if (_phaseStarts.Count == 0 || _phaseStarts[^1].Name != value)
            {
                _phaseStarts.Add((value, Recorder.Now));
            }
        }
    }

    public ExperimentVerdict Verdict { get; private set; } = ExperimentVerdict.Passed;

    public string? Failure { get; private set; }

    /// <summary>Gets or sets when injection began; null while nothing may have been written.</summary>
    public DateTimeOffset? InjectedAt { get; set; }

    public DateTimeOffset? HoldEnded { get; set; }

    /// <summary>Gets or sets when the injection returned: the fault is in place, and the hold is timed from here.</summary>
    public DateTimeOffset? InjectionDone { get; set; }

    /// <summary>Gets or sets the probe that did not hold before injection (the run is aborted).</summary>
    public string? BrokenBefore { get; set; }

    public IReadOnlyList<string> NotRecovered { get; set; } = [];

    /// <summary>Gets or sets a value indicating whether the fault could not be injected (a manifest's retries act on this).</summary>
    public bool InjectionFailed { get; set; }

    /// <summary>Gets or sets the run's Lease (its liveness for janitors of other processes), held from before its first ledger write.</summary>
    public RunLease? Lease { get; set; }

    public IReadOnlyList<ProbeResult> ProbeResults { get; set; } = [];

    /// <summary>Gets or sets what logs the probes' transitions and the hold's progress, from injection until the probes stop.</summary>
    public HoldProgress? Progress { get; set; }

    /// <summary>Fails the run; a second failure (recovery after a failed injection) follows the first, which is the cause.</summary>
    public void Fail(string reason)
    {
        Failure = Verdict == ExperimentVerdict.Failed && Failure is { } cause ? $"{cause}; then {reason}" : reason;
        Verdict = ExperimentVerdict.Failed;
    }

    public void Abort(string reason)
    {
        Verdict = ExperimentVerdict.Aborted;
        Failure = reason;
    }

    public ChaosResult Report(TimeProvider time, bool dryRun = false)
    {
        var probes = ProbeResults;
        var finished = time.GetUtcNow();
        var recoveries = probes.Where(p => p.TimeToRecovery is not null).Select(p => p.TimeToRecovery!.Value).ToList();
        return new ChaosResult
        {
            ExperimentId = Id,
            Description = Definition.Description,
            Verdict = Verdict,
            Seed = Seed,
            DryRun = dryRun,
            StartedAt = StartedAt,
            FinishedAt = finished,
            Phases = PhaseSpans(finished),
            Affected = Recorder.AffectedTargets,
            Timeline = Recorder.Timeline,
            Probes = probes,
            TimeToRecovery = recoveries.Count == 0 || probes.Any(p => p.TimeToRecovery is null) ? null : recoveries.Max(),
            Errors = Recorder.Errors,
            FailureReason = Failure,
            NotRecovered = NotRecovered,
            InjectionFailed = InjectionFailed,
        };
    }

    /// <summary>The phases as spans: <c>plan</c> from the start, each marked phase until the next one began, the last until the end.</summary>
    private List<PhaseSpan> PhaseSpans(DateTimeOffset finished)
    {
        var starts = new List<(string Name, DateTimeOffset At)> { ("plan", StartedAt) };
        starts.AddRange(_phaseStarts);
        return starts.Select((start, i) => new PhaseSpan(start.Name, start.At, i + 1 < starts.Count ? starts[i + 1].At : finished)).ToList();
    }
}
