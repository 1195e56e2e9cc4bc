using System.Diagnostics;

namespace Chaos.Testing;

/// <summary>Recover: always, with its own deadline.</summary>
internal sealed partial class ExperimentRunner
{
    /// <summary>Recovers what the run injected; what cannot be recovered fails the run and is named, its ledger kept for the janitor.</summary>
    private Task RecoverAsync(ExperimentRun run) =>
        run.Telemetry is { } telemetry ? telemetry.PhaseAsync("recover", span => RecoverAsync(run, span)) : RecoverAsync(run, null);

    private async Task RecoverAsync(ExperimentRun run, Activity? span)
    {
        // Recovery never uses the caller's token: a cancelled test must still leave the cluster as found.
        run.Phase = "recover";
        using var recovery = new CancellationTokenSource(RecoveryTimeout, _time);
        var planned = run.Planned;
        var verb = definition.Binding.Verb;
        try
        {
            await planned.RecoverAsync(recovery.Token);
            var touched = run.Recorder.AffectedTargets.Select(a => $"{a.Namespace}/{a.Name}").ToHashSet(StringComparer.Ordinal);
            // Events are best effort (a failure is recorded, never thrown); sent one by one they were most of a large run's time.
            await Parallel.ForEachAsync(
                planned.Targets.Where(t => touched.Contains($"{t.NamespaceProperty}/{t.Name}")),
                new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = recovery.Token },
                async (target, ct) => await run.Context.Events.PublishAsync(planned.Kind, target, "ChaosRecovered", $"{verb} recovered", ct));

            run.Recorder.Step("recover", $"{verb} recovered");
        }
        catch (Exception ex)
        {
            run.NotRecovered = ex is RecoveryException partial
                ? partial.Left
                : planned.Targets.Select(t => $"{planned.Kind} {LedgerWrites.Describe(t)}: unknown, recovery stopped ({ex.Message})").ToList();
            run.Fail($"recovery failed, {run.NotRecovered.Count} object(s) may still be changed: {string.Join("; ", run.NotRecovered)}. "
                + $"Their ledger annotations ({Ledger.AnnotationPrefix}{run.Id}) stay, so ChaosJanitor.SweepAsync recovers them, in any process, "
                + "as soon as this run has given up its Lease (when it ends) (the fixtures sweep when they acquire a cluster)");
            run.Recorder.Error(run.Failure!, ex);
            RunTelemetry.Fail(span, run.Failure!);
        }
    }
}
