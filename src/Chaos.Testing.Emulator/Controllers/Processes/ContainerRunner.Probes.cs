using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <content>
/// Probes, as the kubelet runs them: the startup probe first (the others wait for it; failing it restarts the
/// container), then readiness (drives <c>ready</c>) and liveness (failing it restarts the container), each on its own
/// period with its thresholds.
/// </content>
internal sealed partial class ContainerRunner
{
    private async Task ProbeAsync(JsonObject spec, CancellationToken cancellationToken)
    {
        if (spec["startupProbe"] is JsonObject startup)
        {
            if (!await UntilAsync(startup, spec, wanted: true, cancellationToken))
            {
                return;
            }

            lock (_gate)
            {
                Started = true;
                Ready = spec["readinessProbe"] is null;
            }

            _changed();
        }

        var tasks = new List<Task>();
        if (spec["readinessProbe"] is JsonObject readiness)
        {
            tasks.Add(ReadinessAsync(readiness, spec, cancellationToken));
        }

        if (spec["livenessProbe"] is JsonObject liveness)
        {
            tasks.Add(LivenessAsync(liveness, spec, cancellationToken));
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>Probes until the result has been <paramref name="wanted"/> for its threshold; a startup probe that fails its threshold kills the container.</summary>
    private async Task<bool> UntilAsync(JsonObject probe, JsonObject spec, bool wanted, CancellationToken cancellationToken)
    {
        var (initial, period, _, success, failure) = ContainerProbe.Timing(probe);
        await Delay(initial, cancellationToken);
        var failures = 0;
        var successes = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var (ok, _) = await AttemptAsync(probe, spec, cancellationToken);
            successes = ok ? successes + 1 : 0;
            failures = ok ? 0 : failures + 1;
            if (ok && successes >= (wanted ? success : 1))
            {
                return true;
            }

            if (failures >= failure)
            {
                await KillForProbeAsync("Startup");
                return false;
            }

            await Delay(period, cancellationToken);
        }

        return false;
    }

    private async Task ReadinessAsync(JsonObject probe, JsonObject spec, CancellationToken cancellationToken)
    {
        var (initial, period, _, success, failure) = ContainerProbe.Timing(probe);
        await Delay(initial, cancellationToken);
        var successes = 0;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var (ok, _) = await AttemptAsync(probe, spec, cancellationToken);
            successes = ok ? successes + 1 : 0;
            failures = ok ? 0 : failures + 1;
            if (!cancellationToken.IsCancellationRequested && (successes >= success && !Ready || failures >= failure && Ready))
            {
                lock (_gate)
                {
                    Ready = ok;
                }

                if (ok)
                {
                    _host.RecordReady(_pod.Namespace, _pod.Name, Name);
                }

                _changed();
            }

            await Delay(period, cancellationToken);
        }
    }

    private async Task LivenessAsync(JsonObject probe, JsonObject spec, CancellationToken cancellationToken)
    {
        var (initial, period, _, _, failure) = ContainerProbe.Timing(probe);
        await Delay(initial, cancellationToken);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var (ok, _) = await AttemptAsync(probe, spec, cancellationToken);
            failures = ok ? 0 : failures + 1;
            if (failures >= failure)
            {
                await KillForProbeAsync("Liveness");
                return;
            }

            await Delay(period, cancellationToken);
        }
    }

    private Task<(bool Ok, string? Message)> AttemptAsync(JsonObject probe, JsonObject spec, CancellationToken cancellationToken) =>
        ContainerProbe.AttemptAsync(probe, _pod.PodIp, spec, ExecAsync, cancellationToken);

    /// <summary>A failed liveness or startup probe: the kubelet kills the container (with the pod's grace period) and the restart policy decides the rest.</summary>
    private async Task KillForProbeAsync(string probe)
    {
        lock (_gate)
        {
            Ready = false;
        }

        _changed();
        var process = _process;
        if (process is not null)
        {
            _ = probe;
            await process.StopAsync(_grace);
        }
    }
}
