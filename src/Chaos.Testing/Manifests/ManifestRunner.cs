using k8s;

namespace Chaos.Testing;

/// <summary>Runs manifests in order: dependencies, pause, windows, the operator's namespace markers, then the experiment with retries.</summary>
internal sealed class ManifestRunner(IKubernetes client, ManifestRunOptions options, bool scheduled = false)
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time = options.Time;

    public async Task<ManifestBatchResult> RunAsync(IReadOnlyList<ChaosManifest> order, CancellationToken cancellationToken)
    {
        var results = new List<ManifestRunResult>();
        var outcomes = new Dictionary<string, ManifestRunResult>(StringComparer.Ordinal);
        foreach (var manifest in order)
        {
            ManifestRunResult result;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                result = await RunOneAsync(manifest, outcomes, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Said in the result, so a tool still reports what ran; a running experiment recovered and returned Aborted.
                result = new() { Manifest = manifest, Outcome = ManifestOutcome.Skipped, Phase = "Pending", Message = "Not run: the batch was cancelled.", CompletedAt = _time.GetUtcNow() };
            }

            outcomes[manifest.Key] = result;
            results.Add(result);
            options.Progress?.Report(result);
        }

        return new ManifestBatchResult(results);
    }

    /// <summary>The delay before retry number <paramref name="retry"/> (0 for the first): fixed, or doubling from the base up to 10 minutes.</summary>
    internal static TimeSpan RetryDelay(ChaosManifestSpec spec, int retry) => spec.RetryBackoff == "fixed"
        ? spec.RetryDelay
        : TimeSpan.FromTicks((long)Math.Min(MaxRetryDelay.Ticks, spec.RetryDelay.Ticks * Math.Pow(2, Math.Min(retry, 30))));

    private async Task<ManifestRunResult> RunOneAsync(ChaosManifest manifest, Dictionary<string, ManifestRunResult> done, CancellationToken cancellationToken)
    {
        var spec = manifest.Spec;
        var notes = new List<string>();
        if (spec.Schedule is { } schedule && scheduled)
        {
            notes.Add($"run by its schedule \"{schedule}\" (next: {manifest.NextOccurrence(_time.GetUtcNow()):u}).");
        }
        else if (spec.Schedule is { } ignored)
        {
            notes.Add($"schedule \"{ignored}\" ignored: a one-shot run runs the experiment once, now; the long-running mode (RunScheduledAsync, `chaos run --schedule`) runs it on its cron (next: {manifest.NextOccurrence(_time.GetUtcNow()):u}).");
        }

        ManifestRunResult NotRun(ManifestOutcome outcome, string phase, string message) =>
            new() { Manifest = manifest, Outcome = outcome, Phase = phase, Message = message, CompletedAt = _time.GetUtcNow(), Notes = notes, LastError = outcome == ManifestOutcome.Refused ? message : null };

        foreach (var name in spec.DependsOn)
        {
            var dependency = done[$"{manifest.ExperimentNamespace}/{name}"];
            if (dependency.Phase != "Completed")
            {
                return NotRun(ManifestOutcome.Skipped, "Pending", $"Not run: it depends on \"{name}\", which did not complete ({dependency.Outcome}, phase {dependency.Phase}).");
            }
        }

        if (spec.Paused)
        {
            return NotRun(ManifestOutcome.Skipped, "Paused", "Experiment is paused (spec.paused: true): not run.");
        }

        var now = _time.GetUtcNow();
        if (spec.TimeWindows.Count > 0 && !spec.TimeWindows.Any(w => w.Contains(now)))
        {
            return NotRun(ManifestOutcome.Refused, "Pending",
                $"Refused: {now:u} is outside every time window ({string.Join("; ", spec.TimeWindows.Select((w, i) => $"timeWindows[{i}] {w}"))}). Nothing was changed.");
        }

        for (var i = 0; i < spec.MaintenanceWindows.Count; i++)
        {
            if (spec.MaintenanceWindows[i].Contains(now))
            {
                return NotRun(ManifestOutcome.Refused, "Pending", $"Refused: {now:u} is inside maintenanceWindows[{i}] {spec.MaintenanceWindows[i]}. Nothing was changed.");
            }
        }

        if (await ManifestGuard.RefusalAsync(client, spec, cancellationToken) is { } refusal)
        {
            return NotRun(ManifestOutcome.Refused, "Failed", refusal);
        }

        var hold = ManifestActions.HoldOf(spec, options.DefaultHold);
        if (hold.Note is { } holdNote)
        {
            notes.Add(holdNote);
        }

        if (spec.Action == "pod-restart" && spec.RestartInterval is { } interval)
        {
            notes.Add($"restartInterval {ManifestDurations.Format(interval)}: pods are restarted one at a time, each after the previous one's replacement is Ready, rather than after a fixed delay.");
        }

        return await AttemptAsync(manifest, notes, cancellationToken);
    }

    private async Task<ManifestRunResult> AttemptAsync(ChaosManifest manifest, List<string> notes, CancellationToken cancellationToken)
    {
        var spec = manifest.Spec;
        var experiment = manifest.ToExperiment(options).WithTimeProvider(_time);
        experiment = options.DryRun ? experiment.DryRun() : experiment;
        experiment = options.Logger is { } logger ? experiment.WithLogger(logger) : experiment;
        experiment = options.Configure?.Invoke(manifest, experiment) ?? experiment;
        var started = _time.GetUtcNow();
        var deadline = spec.ExperimentDuration is { } total ? started + total : (DateTimeOffset?)null;
        string? lastError = null;
        for (var retry = 0; ; retry++)
        {
            ChaosResult? result = null;
            try
            {
                result = await experiment.RunAsync(client, cancellationToken);
            }
            catch (ChaosRefusedException refused)
            {
                return Finish(manifest, notes, ManifestOutcome.Refused, "Failed", refused.Message, null, retry, refused.Message, started);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or ChaosConfigurationException))
            {
                lastError = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (result is not null && !result.InjectionFailed)
            {
                return FromResult(manifest, notes, result, retry, started);
            }

            lastError = result?.FailureReason ?? lastError;
            var delay = RetryDelay(spec, retry);
            var why = retry >= spec.MaxRetries ? $"after {retry} retr{(retry == 1 ? "y" : "ies")} (maxRetries {spec.MaxRetries})"
                : deadline is { } end && _time.GetUtcNow() + delay > end ? $"no retry: experimentDuration {ManifestDurations.Format(spec.ExperimentDuration!.Value)} would have passed"
                : null;
            if (why is not null)
            {
                return result is null
                    ? Finish(manifest, notes, ManifestOutcome.Failed, "Failed", $"Failed {why}: {lastError}", null, retry, lastError, started)
                    : FromResult(manifest, notes, result, retry, started) with { Message = $"Failed {why}: {lastError}" };
            }

            notes.Add($"attempt {retry + 1} failed ({lastError}); retrying in {ManifestDurations.Format(delay)} ({spec.RetryBackoff} backoff).");
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private ManifestRunResult FromResult(ChaosManifest manifest, List<string> notes, ChaosResult result, int retries, DateTimeOffset started)
    {
        var (outcome, phase) = result switch
        {
            { DryRun: true } => (ManifestOutcome.DryRun, "Completed"),
            { Verdict: ExperimentVerdict.Passed } => (ManifestOutcome.Passed, "Completed"),
            { Verdict: ExperimentVerdict.Aborted } => (ManifestOutcome.Aborted, "Failed"),
            _ => (ManifestOutcome.Failed, "Failed"),
        };
        var message = outcome switch
        {
            ManifestOutcome.DryRun => $"Dry run: would {result.Description}: {string.Join(", ", result.Affected.Select(a => a.Namespace is null ? a.Name : $"{a.Namespace}/{a.Name}").Distinct(StringComparer.Ordinal))}.",
            ManifestOutcome.Passed => $"Completed: {result.Description}; recovered{(result.Probes.Count > 0 ? ", steady state held" : string.Empty)}.",
            _ => $"{outcome}: {result.FailureReason}",
        };
        var fault = ManifestActions.FaultOf(manifest.Spec.Action)!;
        var container = fault.Mechanism == FaultMechanism.PodPayload && !result.DryRun ? $":chaos-{fault.Name}-{result.ExperimentId}" : string.Empty;
        var nodes = result.Affected.Where(a => a.Kind == "Node").Select(a => a.Name).Distinct(StringComparer.Ordinal).ToList();
        return Finish(manifest, notes, outcome, phase, message, result, retries, outcome is ManifestOutcome.Passed or ManifestOutcome.DryRun ? null : result.FailureReason, started) with
        {
            AffectedPods = result.Affected.Where(a => a.Kind == "Pod").Select(a => $"{a.Namespace}/{a.Name}{container}").Distinct(StringComparer.Ordinal).ToList(),
            CordonedNodes = fault.Name == "node-drain" && !result.DryRun ? nodes : [],
            TaintedNodes = fault.Name == "node-taint" && !result.DryRun ? nodes : [],
        };
    }

    private ManifestRunResult Finish(ChaosManifest manifest, List<string> notes, ManifestOutcome outcome, string phase, string message, ChaosResult? result, int retries, string? lastError, DateTimeOffset started) => new()
    {
        Manifest = manifest,
        Outcome = outcome,
        Phase = phase,
        Message = message,
        Result = result,
        RetryCount = retries,
        LastError = lastError,
        StartTime = started,
        CompletedAt = _time.GetUtcNow(),
        Notes = notes,
    };
}
