using System.Diagnostics;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Testing;

/// <summary>
/// The lifecycle: plan → guard → check before → inject → hold → recover (always) → check after → report. Each phase is
/// one method over the run's state (<see cref="ExperimentRun"/>); this file holds their order and the rules that bind
/// them: nothing is written before the plan is guarded, and recovery runs whenever injection began.
/// </summary>
internal sealed partial class ExperimentRunner(ExperimentDefinition definition, IKubernetes client)
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time = definition.Time;
    private readonly ILogger _logger = definition.Logger ?? NullLogger.Instance;

    /// <summary>Gets the calls made by the last run (for benchmarks).</summary>
    public ApiCalls? Api { get; private set; }

    public async Task<ChaosResult> RunAsync(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        using var scope = _logger.BeginScope("chaos experiment {ExperimentId}", id);
        using var telemetry = new RunTelemetry(id, definition);
        try
        {
            var result = await RunPhasesAsync(id, telemetry, cancellationToken);
            telemetry.Finished(result);
            return result;
        }
        catch (ChaosRefusedException refused)
        {
            _logger.LogWarning(ChaosLogEvents.Refused, "refused: {Reason}", refused.Message);
            telemetry.Refused(refused);
            throw;
        }
        catch (Exception ex)
        {
            telemetry.Crashed(ex);
            throw;
        }
    }

    private async Task<ChaosResult> RunPhasesAsync(string id, RunTelemetry telemetry, CancellationToken cancellationToken)
    {
        using var active = Ledger.Track(id);
        var run = await telemetry.PhaseAsync("plan", span => PlanAsync(id, telemetry, span, cancellationToken));
        if (definition.DryRun)
        {
            foreach (var target in run.Planned.Targets)
            {
                run.Recorder.Affected(run.Planned.Kind, target.NamespaceProperty, target.Name, $"would {definition.Binding.Verb}");
            }

            run.Recorder.Step("report", "dry run: planned and guarded, nothing written");
            return run.Report(_time, dryRun: true);
        }

        try
        {
            await StartProbesAsync(run, cancellationToken);
            if (CheckBefore(run))
            {
                await telemetry.PhaseAsync("inject", span => InjectAsync(run, span, cancellationToken));
                await telemetry.PhaseAsync("hold", _ => HoldAsync(run, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run.Abort($"cancelled during {run.Phase}");
            run.Recorder.Step(run.Phase, "cancelled");
            run.HoldEnded = _time.GetUtcNow();
        }
        catch (Exception)
        {
            if (run.InjectedAt is not null)
            {
                await RecoverAsync(run);
            }

            await ReleaseLeaseAsync(run);
            await DisposeProbesAsync(run);
            throw;
        }

        try
        {
            if (run.InjectedAt is not null)
            {
                await RecoverAsync(run);
            }

            await ReleaseLeaseAsync(run);

            await CheckAfterAsync(run, cancellationToken);
            run.Recorder.Step("report", run.Verdict == ExperimentVerdict.Passed ? "steady state held" : $"{run.Verdict}: {run.Failure}");
            return run.Report(_time);
        }
        finally
        {
            await DisposeProbesAsync(run);
        }
    }

    /// <summary>Gives up the run's Lease after its recovery; says so when another process took it (and may have recovered the run early).</summary>
    private static async Task ReleaseLeaseAsync(ExperimentRun run)
    {
        if (run.Lease is not { } lease)
        {
            return;
        }

        run.Lease = null;
        await lease.DisposeAsync();
        if (lease.TakenAway is { } why)
        {
            var reason = $"the run may have been recovered early by another process: {why}";
            run.Recorder.Error(reason);
            if (run.Verdict == ExperimentVerdict.Passed)
            {
                run.Abort(reason + "; the steady state was not observed under the fault for the whole hold");
            }
        }
    }

    /// <summary>Plan and guard: resolve and pick the targets, refuse before any write.</summary>
    private async Task<ExperimentRun> PlanAsync(string id, RunTelemetry telemetry, Activity? span, CancellationToken cancellationToken)
    {
        var seed = definition.Binding.Selection.Seed ?? Random.Shared.Next();
        telemetry.Seed(seed);
        span?.SetTag("chaos.seed", seed);
        var recorder = new ExperimentRecorder(_time, _logger, telemetry);
        var api = Api = new ApiCalls(_time);
        var started = _time.GetUtcNow();
        var events = new ChaosEvents(client, api, recorder, id, definition.EmitEvents && !definition.DryRun);
        var context = new FaultContext(client, id, api, recorder, events, _time, _logger)
        {
            LedgerDeadline = started + definition.Binding.InjectTimeout + definition.Duration + RecoveryTimeout + Ledger.Grace,
            Safety = definition.Safety,
            Hold = definition.Duration,
        };
        recorder.Step("plan", $"experiment {id}: {definition.Description}, hold {definition.Duration.TotalSeconds:0.###}s, seed {seed}"
            + (definition.DryRun ? ", dry run" : string.Empty));
        var planned = await definition.Binding.PlanAsync(context, definition.Safety, seed, cancellationToken);
        telemetry.Planned(planned);
        return new ExperimentRun(definition, id, seed, context, planned) { StartedAt = started, Telemetry = telemetry };
    }

    /// <summary>Inject: a failure to inject fails the run (what was injected is recovered); a refusal propagates.</summary>
    private async Task InjectAsync(ExperimentRun run, Activity? span, CancellationToken cancellationToken)
    {
        run.Phase = "inject";
        if (definition.Binding.WritesLedger)
        {
            // After the guards, before the first write: the key that seals this run's ledger entries (made at the first run).
            try
            {
                run.Context.Key = await LedgerKeyStore.GetOrCreateAsync(client, run.Context.Api, definition.Safety.LedgerKeySecret, cancellationToken);
            }
            catch (InvalidDataException bad)
            {
                throw new ChaosRefusedException($"{bad.Message} Nothing was changed.", bad);
            }

            // Liveness for other processes' janitors, on real time whatever this run's clock: renewed until the run's own deadline.
            var budget = run.Context.LedgerDeadline - run.StartedAt;
            run.Lease = await RunLease.AcquireAsync(client, run.Context.Api, LedgerKeyStore.Split(definition.Safety.LedgerKeySecret).Namespace, run.Id,
                RunLease.Duration, TimeProvider.System.GetUtcNow() + budget, (message, ex) => run.Recorder.Error(message, ex), cancellationToken);
        }

        run.InjectedAt = _time.GetUtcNow();
        run.Progress = new HoldProgress(run, _logger, run.Telemetry, run.InjectedAt.Value);
        run.Recorder.Step("inject", $"{definition.Binding.Verb} {run.Planned.Targets.Count} {run.Planned.Kind.ToLowerInvariant()}(s)");
        try
        {
            await run.Planned.InjectAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ChaosRefusedException))
        {
            run.InjectionFailed = true;
            run.Fail($"the fault could not be injected: {ex.Message}");
            run.Recorder.Error(run.Failure!, ex);
            RunTelemetry.Fail(span, run.Failure!);
        }

        // The hold is timed from here: a payload's own timer started when it installed, so waiting for the probes below
        // must not push the hold's end past the moment the payload removes the fault by itself.
        run.InjectionDone = _time.GetUtcNow();

        // Probes must see the cluster after the fault, never a stale sample from before it.
        foreach (var (_, session) in run.Sessions)
        {
            await session.SyncAsync(cancellationToken);
        }
    }

    /// <summary>Hold: keep the fault for the duration while the probes sample.</summary>
    private async Task HoldAsync(ExperimentRun run, CancellationToken cancellationToken)
    {
        if (run.Verdict == ExperimentVerdict.Passed)
        {
            run.Phase = "hold";
            // The wait for the probes' first sample after the fault is part of the hold, not added to it.
            var waited = run.InjectionDone is { } done ? _time.GetUtcNow() - done : TimeSpan.Zero;
            var remaining = waited > TimeSpan.Zero ? definition.Duration - waited : definition.Duration;
            run.Recorder.Step("hold", waited >= TimeSpan.FromMilliseconds(100)
                ? $"holding for {definition.Duration.TotalSeconds:0.###}s ({waited.TotalSeconds:0.###}s of it spent waiting for the probes' first sample after injection)"
                : $"holding for {definition.Duration.TotalSeconds:0.###}s");
            if (remaining > TimeSpan.Zero)
            {
                using var holdEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var monitor = run.Planned.MonitorAsync(holdEnded.Token);
                var progress = run.Progress?.ReportAsync(_time, run.InjectionDone ?? _time.GetUtcNow(), definition.Duration, definition.ProgressInterval, holdEnded.Token)
                    ?? Task.CompletedTask;
                try
                {
                    await Task.Delay(remaining, _time, cancellationToken);
                }
                finally
                {
                    await holdEnded.CancelAsync();
                    await progress;
                    try
                    {
                        await monitor;
                    }
                    catch (OperationCanceledException) when (holdEnded.IsCancellationRequested)
                    {
                        // The hold ended: so does the watch.
                    }
                }
            }
        }

        run.HoldEnded = _time.GetUtcNow();
    }
}
