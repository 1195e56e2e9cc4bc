using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Testing;

/// <summary>The lifecycle: plan → guard → check before → inject → hold → recover (always) → check after → report.</summary>
internal sealed class ExperimentRunner
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(2);

    private readonly ChaosExperiment _experiment;
    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ExperimentRunner(ChaosExperiment experiment, IKubernetes client)
    {
        _experiment = experiment;
        _client = client;
        _time = experiment.Time;
        _logger = experiment.Logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the calls made by the last run (for benchmarks).</summary>
    public ApiCalls? Api { get; private set; }

    public async Task<ChaosResult> RunAsync(CancellationToken cancellationToken)
    {
        var errors = _experiment.Validate();
        if (errors.Count > 0)
        {
            throw new ChaosConfigurationException(errors);
        }

        var id = Guid.NewGuid().ToString("N")[..12];
        var seed = _experiment.Binding.Selection.Seed ?? Random.Shared.Next();
        using var scope = _logger.BeginScope("chaos experiment {ExperimentId}", id);
        using var active = Ledger.Track(id);
        var recorder = new ExperimentRecorder(_time, _logger);
        var api = Api = new ApiCalls(_time);
        var started = _time.GetUtcNow();
        var safety = _experiment.Safety;
        var context = new FaultContext(_client, id, api, recorder, new ChaosEvents(_client, api, recorder, id, _experiment.EmitEvents && !_experiment.IsDryRun), _time, _logger)
        {
            LedgerDeadline = started + _experiment.Binding.InjectTimeout + _experiment.Duration + RecoveryTimeout + Ledger.Grace,
            Safety = safety,
            Hold = _experiment.Duration,
        };
        var verb = _experiment.Binding.Verb;
        recorder.Step("plan", $"experiment {id}: {_experiment.Description}, hold {_experiment.Duration.TotalSeconds:0.###}s, seed {seed}{(_experiment.IsDryRun ? ", dry run" : string.Empty)}");

        var planned = await _experiment.Binding.PlanAsync(context, safety, seed, cancellationToken);
        if (_experiment.IsDryRun)
        {
            foreach (var target in planned.Targets)
            {
                recorder.Affected(planned.Kind, target.NamespaceProperty, target.Name, $"would {verb}");
            }

            recorder.Step("report", "dry run: planned and guarded, nothing written");
            return Report(id, seed, started, ExperimentVerdict.Passed, null, recorder, [], dryRun: true);
        }

        var sessions = new List<(SteadyStateProbe Probe, ProbeSession Session)>();
        IReadOnlyList<string> notRecovered = [];
        var verdict = ExperimentVerdict.Passed;
        string? failure = null;
        DateTimeOffset? injectedAt = null;
        DateTimeOffset? holdEnded = null;
        string? brokenBefore = null;
        var phase = "check-before";
        try
        {
            var runtime = new ProbeRuntime(_client, api, _time);
            foreach (var probe in _experiment.Probes)
            {
                var session = probe.CreateSession(runtime);
                sessions.Add((probe, session));
                try
                {
                    await session.StartAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is not (OperationCanceledException or ChaosRefusedException))
                {
                    throw new ChaosRefusedException(
                        $"The steady-state probe \"{probe.Name}\" could not start: {ex.Message}. Check that what it observes exists. Nothing was injected.", ex);
                }
            }

            foreach (var (probe, session) in sessions.Where(s => s.Probe.EffectiveModes.HasFlag(ProbeModes.Before)))
            {
                var latest = session.Latest!;
                if (!latest.Held)
                {
                    verdict = ExperimentVerdict.Aborted;
                    brokenBefore = probe.Name;
                    failure = $"the steady state did not hold before injection: probe \"{probe.Name}\" observed {latest.Observed}; nothing was injected";
                    recorder.Step("check-before", failure);
                    return await FinishAsync();
                }
            }

            recorder.Step("check-before", sessions.Count == 0 ? "no steady-state probe" : $"{sessions.Count} probe(s) hold");

            phase = "inject";
            injectedAt = _time.GetUtcNow();
            recorder.Step("inject", $"{verb} {planned.Targets.Count} {planned.Kind.ToLowerInvariant()}(s)");
            try
            {
                await planned.InjectAsync(cancellationToken);
            }
            catch (ChaosRefusedException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                verdict = ExperimentVerdict.Failed;
                failure = $"the fault could not be injected: {ex.Message}";
                recorder.Error(failure, ex);
            }

            // Probes must see the cluster after the fault, never a stale sample from before it.
            foreach (var (_, session) in sessions)
            {
                await session.SyncAsync(cancellationToken);
            }

            if (verdict == ExperimentVerdict.Passed)
            {
                phase = "hold";
                recorder.Step("hold", $"holding for {_experiment.Duration.TotalSeconds:0.###}s");
                if (_experiment.Duration > TimeSpan.Zero)
                {
                    await Task.Delay(_experiment.Duration, _time, cancellationToken);
                }
            }

            holdEnded = _time.GetUtcNow();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            verdict = ExperimentVerdict.Aborted;
            failure = $"cancelled during {phase}";
            recorder.Step(phase, "cancelled");
            holdEnded = _time.GetUtcNow();
        }
        catch (Exception)
        {
            await RecoverAsync();
            await DisposeSessionsAsync();
            throw;
        }

        return await FinishAsync();

        async Task<ChaosResult> FinishAsync()
        {
            try
            {
                if (injectedAt is not null)
                {
                    await RecoverAsync();
                }

                var probeResults = new List<ProbeResult>();
                try
                {
                    foreach (var (probe, session) in sessions)
                    {
                        var probeResult = await CheckAfterAsync(probe, session, injectedAt, holdEnded, verdict == ExperimentVerdict.Passed, cancellationToken);
                        probeResults.Add(probe.Name == brokenBefore
                            ? probeResult with { Held = false, Failure = $"did not hold before injection: observed {session.Samples[0].Observed}" }
                            : probeResult);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    verdict = ExperimentVerdict.Aborted;
                    failure = "cancelled during check-after (the fault was already recovered)";
                    recorder.Step("check-after", "cancelled");
                }

                if (injectedAt is not null && sessions.Count > 0 && verdict != ExperimentVerdict.Aborted)
                {
                    recorder.Step("check-after", string.Join("; ", probeResults.Select(p => $"\"{p.Name}\" {(p.Held ? "held" : "did not hold")}"
                        + (p.TimeToRecovery is { } t ? $", recovered {t.TotalMilliseconds:F0} ms after injection" : string.Empty))));
                }

                if (verdict == ExperimentVerdict.Passed && probeResults.FirstOrDefault(p => !p.Held) is { } broken)
                {
                    verdict = ExperimentVerdict.Failed;
                    failure = $"probe \"{broken.Name}\" {broken.Failure}";
                }

                recorder.Step("report", verdict == ExperimentVerdict.Passed ? "steady state held" : $"{verdict}: {failure}");
                return Report(id, seed, started, verdict, failure, recorder, probeResults, dryRun: false) with { NotRecovered = notRecovered };
            }
            finally
            {
                await DisposeSessionsAsync();
            }
        }

        async Task RecoverAsync()
        {
            // Recovery never uses the caller's token: a cancelled test must still leave the cluster as found.
            using var recovery = new CancellationTokenSource(RecoveryTimeout, _time);
            try
            {
                await planned.RecoverAsync(recovery.Token);
                var touched = recorder.AffectedTargets.Select(a => $"{a.Namespace}/{a.Name}").ToHashSet(StringComparer.Ordinal);
                foreach (var target in planned.Targets.Where(t => touched.Contains($"{t.NamespaceProperty}/{t.Name}")))
                {
                    await context.Events.PublishAsync(planned.Kind, target, "ChaosRecovered", $"{verb} recovered", recovery.Token);
                }

                recorder.Step("recover", $"{verb} recovered");
            }
            catch (Exception ex)
            {
                verdict = ExperimentVerdict.Failed;
                notRecovered = ex is RecoveryException partial
                    ? partial.Left
                    : planned.Targets.Select(t => $"{planned.Kind} {(t.NamespaceProperty is null ? t.Name : $"{t.NamespaceProperty}/{t.Name}")}: unknown, recovery stopped ({ex.Message})").ToList();
                failure = $"recovery failed, {notRecovered.Count} object(s) may still be changed: {string.Join("; ", notRecovered)}. "
                    + $"Their ledger annotations ({Ledger.AnnotationPrefix}{id}) stay, so ChaosJanitor.SweepAsync recovers them: at once in this process (the run has ended), "
                    + $"from another process once this one is gone or after {context.LedgerDeadline:u} (the fixtures sweep when they acquire a cluster)";
                recorder.Error(failure, ex);
            }
        }

        async Task DisposeSessionsAsync()
        {
            foreach (var (_, session) in sessions)
            {
                await session.DisposeAsync();
            }

            sessions.Clear();
        }
    }

    private async Task<ProbeResult> CheckAfterAsync(SteadyStateProbe probe, ProbeSession session, DateTimeOffset? injectedAt, DateTimeOffset? holdEnded, bool check, CancellationToken cancellationToken)
    {
        var modes = probe.EffectiveModes;
        string? failure = null;
        if (check && injectedAt is { } from && holdEnded is { } to && modes.HasFlag(ProbeModes.During))
        {
            var broken = BrokenShare(session.Samples, from, to);
            if (broken > probe.Tolerance)
            {
                failure = $"was broken for {Formatting.Percent(broken)} of the hold (tolerance {Formatting.Percent(probe.Tolerance)}); last observed {session.Latest?.Observed}";
            }
        }

        if (check && failure is null && injectedAt is not null && modes.HasFlag(ProbeModes.After))
        {
            using var deadline = new CancellationTokenSource(probe.Deadline, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var deadlineAt = _time.GetUtcNow() + probe.Deadline;
            try
            {
                await session.WaitForAsync(s => s.Held, linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                failure = $"did not recover within {probe.Deadline.TotalSeconds:0.###}s after the fault ended (deadline {deadlineAt.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}): last observed {session.Latest?.Observed}";
            }
        }

        var samples = session.Samples;
        return new ProbeResult(probe.Name, probe.DescribeModes(), failure is null, failure, TimeToRecovery(samples, injectedAt), samples);
    }

    /// <summary>From injection to the first time the steady state held again after breaking; zero if it never broke; null if it never came back.</summary>
    internal static TimeSpan? TimeToRecovery(IReadOnlyList<ProbeSample> samples, DateTimeOffset? injectedAt)
    {
        if (injectedAt is not { } from)
        {
            return null;
        }

        var after = samples.SkipWhile(s => s.At < from).ToList();
        var brokenAtInjection = samples.LastOrDefault(s => s.At < from) is { Held: false };
        var firstBreak = brokenAtInjection ? 0 : after.FindIndex(s => !s.Held);
        if (firstBreak < 0)
        {
            return TimeSpan.Zero;
        }

        var back = after.Skip(firstBreak).FirstOrDefault(s => s.Held);
        return back is null ? null : back.At - from;
    }

    /// <summary>The share of [from, to] during which the samples say the steady state was broken.</summary>
    internal static double BrokenShare(IReadOnlyList<ProbeSample> samples, DateTimeOffset from, DateTimeOffset to)
    {
        var total = (to - from).TotalMilliseconds;
        if (total <= 0)
        {
            return samples.LastOrDefault(s => s.At <= to) is { Held: false } ? 1 : 0;
        }

        double broken = 0;
        var state = samples.LastOrDefault(s => s.At <= from)?.Held ?? true;
        var cursor = from;
        foreach (var sample in samples.Where(s => s.At > from && s.At <= to))
        {
            if (!state)
            {
                broken += (sample.At - cursor).TotalMilliseconds;
            }

            state = sample.Held;
            cursor = sample.At;
        }

        if (!state)
        {
            broken += (to - cursor).TotalMilliseconds;
        }

        return broken / total;
    }

    private ChaosResult Report(string id, int seed, DateTimeOffset started, ExperimentVerdict verdict, string? failure, ExperimentRecorder recorder, IReadOnlyList<ProbeResult> probes, bool dryRun)
    {
        var recoveries = probes.Where(p => p.TimeToRecovery is not null).Select(p => p.TimeToRecovery!.Value).ToList();
        return new ChaosResult
        {
            ExperimentId = id,
            Description = _experiment.Description,
            Verdict = verdict,
            Seed = seed,
            DryRun = dryRun,
            StartedAt = started,
            FinishedAt = _time.GetUtcNow(),
            Affected = recorder.AffectedTargets,
            Timeline = recorder.Timeline,
            Probes = probes,
            TimeToRecovery = recoveries.Count == 0 || probes.Any(p => p.TimeToRecovery is null) ? null : recoveries.Max(),
            Errors = recorder.Errors,
            FailureReason = failure,
        };
    }
}
