using System.Globalization;

namespace Chaos.Testing;

/// <summary>Check before and check after: the steady-state probes' part of the lifecycle.</summary>
internal sealed partial class ExperimentRunner
{
    /// <summary>Starts every probe; one that cannot start refuses the run before anything is injected.</summary>
    private async Task StartProbesAsync(ExperimentRun run, CancellationToken cancellationToken)
    {
        run.Phase = "check-before";
        var runtime = new ProbeRuntime(client, run.Context.Api, _time);
        foreach (var probe in definition.Probes)
        {
            var session = probe.CreateSession(runtime);
            run.Sessions.Add((probe, session));
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
    }

    /// <summary>Check before: the steady state must hold, or the run is aborted with nothing injected. Returns whether to go on.</summary>
    private static bool CheckBefore(ExperimentRun run)
    {
        foreach (var (probe, session) in run.Sessions.Where(s => s.Probe.EffectiveModes.HasFlag(ProbeModes.Before)))
        {
            var latest = session.Latest!;
            if (!latest.Held)
            {
                run.BrokenBefore = probe.Name;
                run.Abort($"the steady state did not hold before injection: probe \"{probe.Name}\" observed {latest.Observed}; nothing was injected");
                run.Recorder.Step("check-before", run.Failure!);
                return false;
            }
        }

        run.Recorder.Step("check-before", run.Sessions.Count == 0 ? "no steady-state probe" : $"{run.Sessions.Count} probe(s) hold");
        return true;
    }

    /// <summary>Check after: each probe's verdict over the hold and after it; a broken one fails a run that had passed.</summary>
    private async Task CheckAfterAsync(ExperimentRun run, CancellationToken cancellationToken)
    {
        run.Phase = "check-after";
        var results = new List<ProbeResult>();
        try
        {
            foreach (var (probe, session) in run.Sessions)
            {
                var result = await CheckAsync(run, probe, session, run.Verdict == ExperimentVerdict.Passed, cancellationToken);
                results.Add(probe.Name == run.BrokenBefore
                    ? result with { Held = false, Failure = $"did not hold before injection: observed {session.Samples[0].Observed}" }
                    : result);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run.Abort("cancelled during check-after (the fault was already recovered)");
            run.Recorder.Step("check-after", "cancelled");
        }

        run.ProbeResults = results;
        if (run.InjectedAt is not null && run.Sessions.Count > 0 && run.Verdict != ExperimentVerdict.Aborted)
        {
            run.Recorder.Step("check-after", string.Join("; ", results.Select(p => $"\"{p.Name}\" {(p.Held ? "held" : "did not hold")}"
                + (p.TimeToRecovery is { } t ? (t == TimeSpan.Zero ? ", never broke" : $", recovered {t.TotalMilliseconds:F0} ms after injection") : string.Empty))));
        }

        if (run.Verdict == ExperimentVerdict.Passed && results.FirstOrDefault(p => !p.Held) is { } broken)
        {
            run.Fail($"probe \"{broken.Name}\" {broken.Failure}");
        }
    }

    private async Task<ProbeResult> CheckAsync(ExperimentRun run, SteadyStateProbe probe, ProbeSession session, bool check, CancellationToken cancellationToken)
    {
        var modes = probe.EffectiveModes;
        string? failure = null;
        if (check && run.InjectedAt is { } from && run.HoldEnded is { } to && modes.HasFlag(ProbeModes.During))
        {
            var broken = ProbeMath.BrokenShare(session.Samples, from, to);
            if (broken > probe.Tolerance)
            {
                failure = $"was broken for {Formatting.Percent(broken)} of the hold (tolerance {Formatting.Percent(probe.Tolerance)}); last observed {session.Latest?.Observed}";
            }
        }

        if (check && failure is null && run.InjectedAt is not null && modes.HasFlag(ProbeModes.After))
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
                failure = $"did not recover within {probe.Deadline.TotalSeconds:0.###}s after the fault ended "
                    + $"(deadline {deadlineAt.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}): last observed {session.Latest?.Observed}";
            }
        }

        var samples = session.Samples;
        return new ProbeResult(probe.Name, probe.DescribeModes(), failure is null, failure, ProbeMath.TimeToRecovery(samples, run.InjectedAt), samples);
    }

    private static async Task DisposeProbesAsync(ExperimentRun run)
    {
        run.Progress?.Dispose();
        run.Progress = null;
        foreach (var (_, session) in run.Sessions)
        {
            await session.DisposeAsync();
        }

        run.Sessions.Clear();
    }
}
