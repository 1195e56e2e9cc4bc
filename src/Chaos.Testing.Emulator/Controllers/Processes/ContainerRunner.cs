using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// One container of a pod on the process runtime, from image to exit, again and again: resolves its image to a program,
/// starts it, runs its probes, records how it ended and restarts it as the pod's <c>restartPolicy</c> says, with the
/// kubelet's back-off. Every change of state calls <c>changed</c>, and the pod's worker writes the status.
/// </summary>
internal sealed partial class ContainerRunner : IAsyncDisposable
{
    private readonly ProcessRuntimeHost _host;
    private readonly PodContext _pod;
    private readonly string _restartPolicy;
    private readonly TimeSpan _grace;
    private readonly Func<int?> _targetPid;
    private readonly Action _changed;
    private readonly Func<JsonObject, (Dictionary<string, string>? Environment, string? Problem)> _environment;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private JsonObject _spec;
    private ContainerProcess? _process;
    private CancellationTokenSource? _runCts;
    private JsonObject _state;
    private JsonObject? _lastState;
    private Task? _loop;
    private int _crashes;
    private bool _specChanged;
    private TimeSpan _stopGrace;

    public ContainerRunner(
        ProcessRuntimeHost host, PodContext pod, JsonObject spec, bool ephemeral, string restartPolicy, TimeSpan grace, Func<int?> targetPid, Action changed,
        Func<JsonObject, (Dictionary<string, string>? Environment, string? Problem)> environment)
    {
        _environment = environment;
        _host = host;
        _pod = pod;
        _spec = (JsonObject)spec.DeepClone();
        Ephemeral = ephemeral;
        _restartPolicy = ephemeral ? "Never" : restartPolicy;
        _grace = grace;
        _targetPid = targetPid;
        _changed = changed;
        _state = Waiting("ContainerCreating", null);
    }

    public string Name => _spec["name"]!.ToString();

    public string Image => _spec["image"]?.ToString() ?? string.Empty;

    public bool Ephemeral { get; }

    public int RestartCount { get; private set; }

    public bool Ready { get; private set; }

    public bool Started { get; private set; }

    /// <summary>Gets whether the container ended and will not run again (its restart policy says so).</summary>
    public bool Finished { get; private set; }

    /// <summary>Gets the exit code of its last run, if it ended.</summary>
    public int? LastExitCode { get; private set; }

    /// <summary>Gets the host PID of the running container's PID 1, if it runs.</summary>
    public int? HostPid => _process is { Exited.IsCompleted: false } p ? p.HostPid : null;

    /// <summary>Gets the running process's exit, for log followers; null when nothing runs.</summary>
    public Task? Running => _process?.Exited;

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>A new spec for the container (its image changed): the running process is stopped and the container starts again with it.</summary>
    public void Replace(JsonObject spec)
    {
        lock (_gate)
        {
            _spec = (JsonObject)spec.DeepClone();
            _specChanged = true;
            _runCts?.Cancel();
        }
    }

    /// <summary>The container's status as the API shows it.</summary>
    public JsonObject Status()
    {
        lock (_gate)
        {
            var status = new JsonObject
            {
                ["name"] = Name,
                ["image"] = Image,
                ["imageID"] = ImageId(),
                ["ready"] = Ready,
                ["restartCount"] = RestartCount,
                ["state"] = _state.DeepClone(),
            };
            if (!Ephemeral)
            {
                status["started"] = Started;
            }

            if (_process is not null)
            {
                status["containerID"] = ContainerId();
            }

            if (_lastState is not null)
            {
                status["lastState"] = _lastState.DeepClone();
            }

            return status;
        }
    }

    /// <summary>Stops the container: SIGTERM, then SIGKILL after <paramref name="grace"/>; it does not start again.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_stopping.IsCancellationRequested)
        {
            // Stopped already (the pod went); a second stop only waits for the first.
            if (_loop is not null)
            {
                await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            return;
        }

        _stopGrace = grace;
        await _stopping.CancelAsync();
        var process = _process;
        if (process is not null)
        {
            await process.StopAsync(grace);
        }

        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _stopping.Dispose();
    }

    /// <summary>Runs a command inside the running container (exec probes, <c>kubectl exec</c>-like needs).</summary>
    public async Task<(int ExitCode, string Output, bool TimedOut)> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var process = _process ?? throw new InvalidOperationException($"container {Name} is not running");
        var result = await process.ExecAsync(command, timeout, cancellationToken);
        return (result.ExitCode, result.Output, result.TimedOut);
    }

    private string ContainerId() => "containerd://" + Id(RestartCount);

    /// <summary>
    /// The ID of a run of this container: 64 hex digits as containerd's, derived from the pod, the name and the run. Its
    /// cgroup is named after it, as a real runtime's is, so a payload finds a container's processes the same way on both.
    /// </summary>
    private string Id(int restart) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{_pod.Uid}/{Name}/{(Ephemeral ? "ephemeral" : "container")}/{restart.ToString(CultureInfo.InvariantCulture)}"))).ToLowerInvariant();

    private string ImageId() => _process is null ? string.Empty : $"process://{Image}";

    private static JsonObject Waiting(string reason, string? message)
    {
        var waiting = new JsonObject { ["reason"] = reason };
        if (message is not null)
        {
            waiting["message"] = message;
        }

        return new JsonObject { ["waiting"] = waiting };
    }

    private void Set(JsonObject state, bool ready, bool started)
    {
        lock (_gate)
        {
            _state = state;
            Ready = ready;
            Started = started;
        }

        _changed();
    }

    private TimeSpan BackOff()
    {
        // The kubelet restarts a container at once the first time, then waits 10 s, 20 s, 40 s ... up to 5 minutes.
        if (_crashes <= 1)
        {
            return TimeSpan.Zero;
        }

        var options = _host.Options;
        var delay = options.RestartBackOff * Math.Pow(2, Math.Min(_crashes - 2, 20));
        return delay > options.MaxRestartBackOff ? options.MaxRestartBackOff : delay;
    }

    private bool ShouldRestart(int exitCode) => _restartPolicy switch
    {
        "Always" => true,
        "OnFailure" => exitCode != 0,
        _ => false,
    };

    private static string Time(DateTimeOffset time) => Admission.FormatTime(time);
}
