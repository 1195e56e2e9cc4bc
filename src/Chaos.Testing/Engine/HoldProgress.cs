using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>
/// What the log says while the fault is in place, between "holding for 12s" and recovery: each probe's transitions as
/// they happen (broken at, recovered at), and a line every <see cref="ExperimentDefinition.ProgressInterval"/> with the
/// time elapsed and remaining and each probe's state. Watches from injection until the probes stop (after check-after).
/// </summary>
internal sealed class HoldProgress : IDisposable
{
    private readonly object _gate = new();
    private readonly ExperimentRun _run;
    private readonly ILogger _logger;
    private readonly RunTelemetry? _telemetry;
    private readonly Dictionary<string, (ProbeSample Latest, DateTimeOffset Since)> _states = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _injectedAt;

    public HoldProgress(ExperimentRun run, ILogger logger, RunTelemetry? telemetry, DateTimeOffset injectedAt)
    {
        _run = run;
        _logger = logger;
        _telemetry = telemetry;
        _injectedAt = injectedAt;
        foreach (var (probe, session) in run.Sessions)
        {
            if (session.Latest is { } latest)
            {
                _states[probe.Name] = (latest, latest.At);
            }

            session.Observer = sample => OnSample(probe.Name, sample);
        }
    }

    /// <summary>Logs the progress line every <paramref name="interval"/> until the hold ends (cancelled by <paramref name="holdEnded"/>).</summary>
    public async Task ReportAsync(TimeProvider time, DateTimeOffset holdStart, TimeSpan hold, TimeSpan interval, CancellationToken holdEnded)
    {
        if (interval <= TimeSpan.Zero || interval == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(interval, time, holdEnded);
                var elapsed = time.GetUtcNow() - holdStart;
                if (elapsed >= hold)
                {
                    return;
                }

                _logger.LogInformation(ChaosLogEvents.HoldProgress, "hold: {ElapsedSeconds:0.#}s elapsed, {RemainingSeconds:0.#}s remaining; {ProbeStates}",
                    elapsed.TotalSeconds, (hold - elapsed).TotalSeconds, DescribeProbes(time.GetUtcNow()));
            }
        }
        catch (OperationCanceledException) when (holdEnded.IsCancellationRequested)
        {
            // The hold ended: so does its progress.
        }
    }

    public void Dispose()
    {
        foreach (var (_, session) in _run.Sessions)
        {
            session.Observer = null;
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    private string DescribeProbes(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _states.Count == 0
                ? "no steady-state probe"
                : string.Join("; ", _states.Select(s => s.Value.Latest.Held
                    ? $"\"{s.Key}\" holds ({s.Value.Latest.Observed})"
                    : $"\"{s.Key}\" broken for {Seconds(now - s.Value.Since)} ({s.Value.Latest.Observed})"));
        }
    }

    private void OnSample(string probe, ProbeSample sample)
    {
        DateTimeOffset since;
        lock (_gate)
        {
            var held = !_states.TryGetValue(probe, out var before) || before.Latest.Held;
            since = before.Since;
            _states[probe] = (sample, held == sample.Held ? before.Since : sample.At);
            if (held == sample.Held)
            {
                return;
            }
        }

        _telemetry?.ProbeTransition(probe, sample);
        if (sample.Held)
        {
            _logger.LogInformation(ChaosLogEvents.ProbeRecovered,
                "probe {Probe} recovered at {At:HH:mm:ss.fff}, {SinceInjectionSeconds:0.###}s after injection, after {BrokenSeconds:0.###}s broken: {Observed}",
                probe, sample.At, (sample.At - _injectedAt).TotalSeconds, (sample.At - since).TotalSeconds, sample.Observed);
        }
        else
        {
            _logger.LogInformation(ChaosLogEvents.ProbeBroken,
                "probe {Probe} broke at {At:HH:mm:ss.fff}, {SinceInjectionSeconds:0.###}s after injection: {Observed}",
                probe, sample.At, (sample.At - _injectedAt).TotalSeconds, sample.Observed);
        }
    }
}
