using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>Collects the timeline, affected targets and errors of one run; safe to use from parallel injections.</summary>
internal sealed class ExperimentRecorder
{
    private readonly object _gate = new();
    private readonly List<TimelineEntry> _timeline = [];
    private readonly List<AffectedTarget> _affected = [];
    private readonly List<string> _errors = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RunTelemetry? _telemetry;

    public ExperimentRecorder(TimeProvider time, ILogger logger, RunTelemetry? telemetry = null)
    {
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public void Step(string phase, string message)
    {
        _logger.LogInformation(ChaosLogEvents.ForPhase(phase), "{Phase}: {Message}", phase, message);
        lock (_gate)
        {
            _timeline.Add(new TimelineEntry(Now, phase, message));
        }
    }

    public void Affected(string kind, string? ns, string name, string action)
    {
        _logger.LogInformation(ChaosLogEvents.TargetAffected, "{Kind} {Target}: {Action}", kind, ns is null ? name : $"{ns}/{name}", action);
        lock (_gate)
        {
            _affected.Add(new AffectedTarget(kind, ns, name, action, Now));
        }
    }

    public void Error(string message, Exception? exception = null)
    {
        _logger.LogWarning(ChaosLogEvents.Error, exception, "{Message}", message);
        _telemetry?.Error(message, exception);
        lock (_gate)
        {
            _errors.Add(message);
            _timeline.Add(new TimelineEntry(Now, "error", message));
        }
    }

    /// <summary>Counts an object the exclusion label kept out of the pick (<paramref name="resourceType"/>: pod, node).</summary>
    public void Excluded(string resourceType) => _telemetry?.Excluded(resourceType);

    public IReadOnlyList<TimelineEntry> Timeline
    {
        get
        {
            lock (_gate)
            {
                return _timeline.ToArray();
            }
        }
    }

    public IReadOnlyList<AffectedTarget> AffectedTargets
    {
        get
        {
            lock (_gate)
            {
                return _affected.ToArray();
            }
        }
    }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.ToArray();
            }
        }
    }
}
