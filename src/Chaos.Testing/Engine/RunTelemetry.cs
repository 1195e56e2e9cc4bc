using System.Diagnostics;

namespace Chaos.Testing;

/// <summary>
/// One run's OpenTelemetry data through <c>System.Diagnostics</c>: the experiment's span and its phases' spans, and the
/// measurements that mirror the chaos operator's metrics (docs/telemetry.md). Costs next to nothing when no listener
/// is attached: the spans are then null and the instruments drop the measurements.
/// </summary>
internal sealed class RunTelemetry : IDisposable
{
    private readonly Activity? _experiment;
    private readonly string _id;
    private readonly string _action;
    private readonly string _namespace;
    private readonly TimeProvider _time;
    private readonly long _started;
    private string _phase = "plan";

    public RunTelemetry(string id, ExperimentDefinition definition)
    {
        _id = id;
        _time = definition.Time;
        _action = definition.Binding.Action;
        _namespace = string.Join(",", definition.Binding.Namespaces);
        _started = _time.GetTimestamp();
        _experiment = ChaosTelemetry.Source.StartActivity("chaos.experiment", ActivityKind.Internal);
        if (_experiment is { IsAllDataRequested: true } span)
        {
            span.SetTag("chaos.experiment.id", id);
            span.SetTag("chaos.experiment.description", definition.Description);
            span.SetTag("chaos.fault", definition.Binding.FaultName);
            span.SetTag("chaos.action", _action);
            span.SetTag("chaos.hold.duration", definition.Duration.TotalSeconds);
            span.SetTag("chaos.dry_run", definition.DryRun);
            if (_namespace.Length > 0)
            {
                span.SetTag("k8s.namespace.name", _namespace);
            }
        }

        ChaosTelemetry.Active.Add(1, Label("action", _action), Label("namespace", _namespace));
    }

    /// <summary>Marks <paramref name="span"/> as failed with <paramref name="reason"/> (before it ends, or it is exported without it).</summary>
    public static void Fail(Activity? span, string reason) => span?.SetStatus(ActivityStatusCode.Error, reason);

    /// <summary>Runs one phase in its own span, a child of the experiment's; an exception marks the span failed and propagates.</summary>
    public async Task<T> PhaseAsync<T>(string phase, Func<Activity?, Task<T>> body)
    {
        _phase = phase;
        using var span = ChaosTelemetry.Source.StartActivity($"chaos.{phase}", ActivityKind.Internal, _experiment?.Context ?? default);
        span?.SetTag("chaos.experiment.id", _id);
        try
        {
            return await body(span);
        }
        catch (Exception ex)
        {
            Fail(span, ex is OperationCanceledException ? $"cancelled during {phase}" : ex.Message);
            throw;
        }
    }

    /// <summary>Runs one phase in its own span (<see cref="PhaseAsync{T}"/>).</summary>
    public Task PhaseAsync(string phase, Func<Activity?, Task> body) =>
        PhaseAsync(phase, async span =>
        {
            await body(span);
            return true;
        });

    public void Seed(int seed) => _experiment?.SetTag("chaos.seed", seed);

    /// <summary>Names the picked targets on the experiment's span.</summary>
    public void Planned(PlannedFault planned)
    {
        if (_experiment is { IsAllDataRequested: true } span)
        {
            span.SetTag("chaos.target.kind", planned.Kind);
            span.SetTag("chaos.target.count", planned.Targets.Count);
            span.SetTag("chaos.targets", planned.Targets.Select(t => t.NamespaceProperty is null ? t.Name : $"{t.NamespaceProperty}/{t.Name}").ToArray());
        }
    }

    /// <summary>Counts an error of the run, labelled with the phase it happened in, and records it on the experiment's span.</summary>
    public void Error(string message, Exception? exception)
    {
        ChaosTelemetry.Errors.Add(1, Label("action", _action), Label("namespace", _namespace), Label("error_type", _phase));
        _experiment?.AddEvent(new ActivityEvent("chaos.error", tags: new ActivityTagsCollection
        {
            ["chaos.phase"] = _phase,
            ["chaos.error.message"] = message,
            ["exception.type"] = exception?.GetType().FullName,
        }));
    }

    /// <summary>Counts an object the exclusion label kept out of the pick.</summary>
    public void Excluded(string resourceType) =>
        ChaosTelemetry.SafetyExcludedResources.Add(1, Label("resource_type", resourceType), Label("action", _action), Label("namespace", _namespace));

    /// <summary>Records a probe's transition (held → broken or back) as an event of the experiment's span.</summary>
    public void ProbeTransition(string probe, ProbeSample sample) =>
        _experiment?.AddEvent(new ActivityEvent(sample.Held ? "chaos.probe.recovered" : "chaos.probe.broken", sample.At, new ActivityTagsCollection
        {
            ["chaos.probe.name"] = probe,
            ["chaos.probe.observed"] = sample.Observed,
        }));

    /// <summary>The run reported: its verdict on the span, its execution, duration and affected objects measured.</summary>
    public void Finished(ChaosResult result)
    {
        var status = result.DryRun ? "dry-run" : result.Verdict.ToString().ToLowerInvariant();
        if (_experiment is { IsAllDataRequested: true } span)
        {
            span.SetTag("chaos.verdict", status);
            span.SetTag("chaos.resources_affected", result.Affected.Count);
            if (result.FailureReason is { } reason)
            {
                span.SetTag("chaos.failure.reason", reason);
            }

            if (result.TimeToRecovery is { } recovery)
            {
                span.SetTag("chaos.time_to_recovery", recovery.TotalSeconds);
            }
        }

        if (result.Verdict != ExperimentVerdict.Passed)
        {
            Fail(_experiment, result.FailureReason ?? result.Verdict.ToString());
        }

        if (result.DryRun)
        {
            ChaosTelemetry.SafetyDryRun.Add(1, Label("action", _action), Label("namespace", _namespace));
        }
        else
        {
            var affected = result.Affected.Select(a => (a.Kind, a.Namespace, a.Name)).Distinct().Count();
            ChaosTelemetry.ResourcesAffected.Add(affected, Label("action", _action), Label("namespace", _namespace), Label("experiment", _id));
        }

        Ended(status);
    }

    /// <summary>A safety guard (or the cluster) refused the run before any write.</summary>
    public void Refused(ChaosRefusedException refusal)
    {
        _experiment?.SetTag("chaos.verdict", "refused");
        Fail(_experiment, refusal.Message);
        switch (refusal.Guard)
        {
            case RefusalGuard.Production:
                ChaosTelemetry.SafetyProductionBlocks.Add(1, Label("action", _action), Label("namespace", _namespace));
                break;
            case RefusalGuard.MaxPercentage:
                ChaosTelemetry.SafetyPercentageViolations.Add(1, Label("action", _action), Label("namespace", _namespace));
                break;
            case RefusalGuard.ExcludedNamespace:
                Excluded("namespace");
                break;
        }

        Ended("refused");
    }

    /// <summary>An exception ended the run (recovery ran where injection began).</summary>
    public void Crashed(Exception exception)
    {
        _experiment?.SetTag("chaos.verdict", "error");
        Fail(_experiment, exception.Message);
        Error(exception.Message, exception);
        Ended("error");
    }

    public void Dispose()
    {
        ChaosTelemetry.Active.Add(-1, Label("action", _action), Label("namespace", _namespace));
        _experiment?.Dispose();
    }

    private static KeyValuePair<string, object?> Label(string key, object? value) => new(key, value);

    private void Ended(string status)
    {
        ChaosTelemetry.Executions.Add(1, Label("action", _action), Label("namespace", _namespace), Label("status", status));
        ChaosTelemetry.Duration.Record(_time.GetElapsedTime(_started).TotalSeconds, Label("action", _action), Label("namespace", _namespace));
    }
}
