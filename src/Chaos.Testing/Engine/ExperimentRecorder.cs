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

    public ExperimentRecorder(TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public void Step(string phase, string message)
    {
        _logger.LogInformation("{Phase}: {Message}", phase, message);
        lock (_gate)
        {
            _timeline.Add(new TimelineEntry(Now, phase, message));
        }
    }

    public void Affected(string kind, string? ns, string name, string action)
    {
        _logger.LogInformation("{Kind} {Target}: {Action}", kind, ns is null ? name : $"{ns}/{name}", action);
        lock (_gate)
        {
            _affected.Add(new AffectedTarget(kind, ns, name, action, Now));
        }
    }

    public void Error(string message, Exception? exception = null)
    {
        _logger.LogWarning(exception, "{Message}", message);
        lock (_gate)
        {
            _errors.Add(message);
            _timeline.Add(new TimelineEntry(Now, "error", message));
        }
    }

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
