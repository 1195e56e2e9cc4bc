using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Runtime.Mounts;
using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <content>The container's life: image, start, probes, exit, restart.</content>
internal sealed partial class ContainerRunner
{
    private async Task RunAsync()
    {
        var stop = _stopping.Token;
        while (!stop.IsCancellationRequested)
        {
            JsonObject spec;
            lock (_gate)
            {
                spec = _spec;
                _specChanged = false;
                _runCts = CancellationTokenSource.CreateLinkedTokenSource(stop);
            }

            var resolution = ImageCatalog.Resolve(Image, Strings(spec["command"]), Strings(spec["args"]), _host.UserImages);
            if (resolution.Argv is null)
            {
                // As a node that cannot pull: ErrImagePull, then ImagePullBackOff while it retries.
                Set(Waiting("ErrImagePull", resolution.Problem), ready: false, started: false);
                await Delay(_host.Options.RestartBackOff, _runCts.Token);
                if (!stop.IsCancellationRequested && !_specChanged)
                {
                    Set(Waiting("ImagePullBackOff", resolution.Problem), ready: false, started: false);
                    await Delay(_host.Options.RestartBackOff, _runCts.Token);
                }

                continue;
            }

            var (environment, envProblem) = _environment(spec);
            if (environment is null)
            {
                // As the kubelet: a missing ConfigMap, Secret or key keeps the container waiting, and it tries again.
                Set(Waiting("CreateContainerConfigError", envProblem), ready: false, started: false);
                await Delay(_host.Options.RestartBackOff, _runCts.Token);
                continue;
            }

            // A payload of a default payload image finds only the tools that image provides.
            PayloadToolPath.Apply(spec["image"]?.ToString(), _host.StateDirectory, environment);

            // An ephemeral container with a target sees the target's files, volumes included.
            var volumes = Ephemeral && spec["targetContainerName"] is not null ? new VolumePlan([]) : PodVolumes.ForContainer(_host, _pod, spec);
            if (volumes.Reason is { } reason)
            {
                // As a kubelet that cannot set up the volumes: the container waits, and it tries again.
                Set(Waiting(reason, volumes.Message), ready: false, started: false);
                await Delay(_host.Options.RestartBackOff, _runCts.Token);
                continue;
            }

            ContainerExit exit;
            try
            {
                exit = await RunOnceAsync(spec, resolution.Argv, [.. volumes.Mounts, .. PodVolumes.ImageFolders(Image, _host.UserImages, volumes.Mounts)], environment, _runCts.Token);
            }
            catch (ContainerStartException e)
            {
                var now = TimeProvider.System.GetUtcNow(); // processes run on the real clock
                exit = new ContainerExit(128, null, "StartError", now, e.Message);
            }

            if (exit.ExitCode != 0 && exit.Message is null or "" && spec["terminationMessagePolicy"]?.ToString() == "FallbackToLogsOnError")
            {
                // As the kubelet: a failed container's message is the tail of its log (there is no termination-log file here).
                exit = exit with { Message = ContainerLog.Tail(_pod.LogPath(Name, RestartCount), 80, 2048) };
            }

            if (stop.IsCancellationRequested)
            {
                Terminated(exit);
                return;
            }

            _crashes = _specChanged ? _crashes : _crashes + 1;
            Terminated(exit);
            LastExitCode = exit.ExitCode;
            if (!_specChanged && !ShouldRestart(exit.ExitCode))
            {
                Finished = true;
                _changed();
                return;
            }

            var delay = _specChanged ? TimeSpan.Zero : BackOff();
            if (delay > TimeSpan.Zero)
            {
                lock (_gate)
                {
                    _lastState = new JsonObject { ["terminated"] = _state["terminated"]!.DeepClone() };
                }

                Set(Waiting("CrashLoopBackOff", $"back-off {Seconds(delay)} restarting failed container={Name} pod={_pod.Name}_{_pod.Namespace}({_pod.Uid})"), false, false);
                await Delay(delay, stop);
            }

            if (!stop.IsCancellationRequested)
            {
                lock (_gate)
                {
                    _lastState = _state["terminated"] is JsonNode ended ? new JsonObject { ["terminated"] = ended.DeepClone() } : _lastState;
                    RestartCount++;
                }
            }
        }
    }

    /// <summary>Starts the process, runs its probes until it exits (or a liveness failure or a spec change stops it).</summary>
    private async Task<ContainerExit> RunOnceAsync(JsonObject spec, IReadOnlyList<string> argv, IReadOnlyList<VolumeMount> mounts, Dictionary<string, string> environment, CancellationToken run)
    {
        var launch = Launch(spec, argv, mounts, environment);
        var process = await OffPool.Run(() => ContainerProcess.Start(launch));
        lock (_gate)
        {
            _process = process;
        }

        var startup = spec["startupProbe"] as JsonObject;
        var readiness = spec["readinessProbe"] as JsonObject;
        Set(new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Time(process.StartedAt) } }, ready: !Ephemeral && startup is null && readiness is null, started: startup is null);
        using var probes = CancellationTokenSource.CreateLinkedTokenSource(run);
        var probing = Ephemeral ? Task.CompletedTask : ProbeAsync(spec, probes.Token);
        var stopped = await Task.WhenAny(process.Exited, WhenCancelled(run));
        if (stopped != process.Exited)
        {
            // A spec change or the pod going: the kubelet stops the container with the pod's grace period.
            await process.StopAsync(_stopping.IsCancellationRequested ? _stopGrace : _grace, CancellationToken.None);
        }

        await probes.CancelAsync();
        await probing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await process.Exited;
    }

    private ContainerLaunch Launch(JsonObject spec, IReadOnlyList<string> argv, IReadOnlyList<VolumeMount> mounts, Dictionary<string, string> environment)
    {
        var security = spec["securityContext"] as JsonObject;
        var limits = spec["resources"]?["limits"] as JsonObject;
        var restart = RestartCount;
        var log = _pod.LogPath(Name, restart);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        return new ContainerLaunch(
            Name,
            argv,
            environment,
            spec["workingDir"]?.ToString(),
            _pod.NetnsName,
            Ephemeral && spec["targetContainerName"] is not null ? _targetPid() : null,
            CapabilitySet.FromSecurityContext(security),
            security?["runAsUser"]?.GetValue<long>(),
            security?["runAsGroup"]?.GetValue<long>(),
            security?["allowPrivilegeEscalation"]?.GetValue<bool>() == false,
            Quantities.Bytes(limits?["memory"]),
            Quantities.Millicores(limits?["cpu"]),
            $"{_pod.CgroupPath}/{Id(restart)}",
            log,
            _pod.HostPid,
            mounts,
            _host.MountStaging,
            Quantities.PodLimits(_pod.Spec));
    }

    private void Terminated(ContainerExit exit)
    {
        var terminated = new JsonObject
        {
            ["exitCode"] = exit.ExitCode,
            ["reason"] = exit.Reason,
            ["startedAt"] = _state["running"]?["startedAt"]?.DeepClone() ?? Time(exit.FinishedAt),
            ["finishedAt"] = Time(exit.FinishedAt),
            ["containerID"] = ContainerId(),
        };
        if (exit.Signal is int signal)
        {
            terminated["signal"] = signal;
        }

        if (exit.Message is { Length: > 0 } message)
        {
            terminated["message"] = message;
        }

        Set(new JsonObject { ["terminated"] = terminated }, ready: false, started: false);
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancellationToken) =>
        await Task.Delay(delay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private static Task WhenCancelled(CancellationToken token)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => done.TrySetResult());
        return done.Task;
    }

    private static List<string>? Strings(JsonNode? list) => (list as JsonArray)?.Select(n => n?.ToString() ?? string.Empty).ToList();

    private static string Seconds(TimeSpan delay) => delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
