using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Runtime.Network;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// One pod on the process runtime, from sandbox to removal: creates its network namespace and volumes, runs its containers and
/// ephemeral containers (<see cref="ContainerRunner"/>), writes its status as they change, and on deletion stops them
/// with the grace period, removes the sandbox and then the pod. The <see cref="ProcessKubelet"/> hands it the pod's
/// latest version; everything slow happens here, off the controllers' loop.
/// </summary>
internal sealed partial class PodWorker : IAsyncDisposable
{
    private readonly ProcessRuntimeHost _host;
    private readonly ResourceStore _store;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Dictionary<string, ContainerRunner> _containers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ContainerRunner> _ephemeral = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private StoredObject _pod;
    private PodSandbox? _sandbox;
    private PodContext? _context;
    private Task? _loop;
    private int _pendingWrites;
    private int _volumesRemoved;

    public PodWorker(ProcessRuntimeHost host, ResourceStore store, TimeProvider time, StoredObject pod)
    {
        _host = host;
        _store = store;
        _time = time;
        _pod = pod;
    }

    public string Uid => _pod.Uid;

    /// <summary>Gets whether the worker is done: the pod was removed (or is gone) and everything it ran is stopped.</summary>
    public bool Done => _loop?.IsCompleted == true;

    /// <summary>Gets the error that ended the worker, if one did (the controller reports it).</summary>
    public Exception? Error => _loop?.Exception?.GetBaseException();

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>The pod's latest version from the store (or null when it is gone).</summary>
    public void Notify(StoredObject? pod)
    {
        lock (_gate)
        {
            if (pod is not null && pod.Uid == _pod.Uid)
            {
                _pod = pod;
            }
            else
            {
                _gone = true;
            }
        }

        _wake.Release();
    }

    /// <summary>The container with this name (regular or ephemeral), if it has started, for logs and exec.</summary>
    public ContainerRunner? Container(string name)
    {
        lock (_gate)
        {
            return _containers.GetValueOrDefault(name) ?? _ephemeral.GetValueOrDefault(name) ?? _stopped.LastOrDefault(r => r.Name == name);
        }
    }

    /// <summary>The log file of a container's run (<paramref name="restart"/> 0 is the first), or null before the sandbox exists.</summary>
    public string? LogPath(string container, int restart) => _context?.LogPath(container, restart);

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync();
        _wake.Release();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await StopEverythingAsync(TimeSpan.Zero);
        _disposing.Dispose();
    }

    private bool _gone;
    private readonly List<ContainerRunner> _stopped = [];

    private async Task RunAsync()
    {
        try
        {
            await CreateSandboxAsync();
            while (!_disposing.IsCancellationRequested)
            {
                StoredObject pod;
                bool gone;
                lock (_gate)
                {
                    pod = _pod;
                    gone = _gone;
                }

                if (gone || pod.Terminating)
                {
                    await TerminateAsync(pod, gone);
                    return;
                }

                SyncContainers(pod);
                WriteStatus();
                await ((Task)_wake.WaitAsync(TimeSpan.FromSeconds(5), _disposing.Token)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        finally
        {
            await StopEverythingAsync(TimeSpan.Zero);
        }
    }

    private async Task CreateSandboxAsync()
    {
        var pod = _pod;
        var spec = pod.Node["spec"]?.DeepClone() as JsonObject ?? [];
        var node = PodLifecycle.NodeOf(pod);

        // hostNetwork: no namespace; the pod's IP is the bridge's address, this machine's on the pod network, which
        // the test process and every pod reach (the Node's InternalIP is a documentation address).
        var sandbox = spec["hostNetwork"]?.GetValueKind() == System.Text.Json.JsonValueKind.True ? null
            : await OffPool.Run(() => _host.Network.AddPod($"{pod.Namespace}/{pod.Name}/{pod.Uid}", pod.Namespace!, pod.Name));
        _sandbox = sandbox;
        var volumeProblem = await OffPool.Run(() => PodVolumes.Prepare(_host, node, pod.Uid, spec));
        _context = new PodContext(
            pod.Namespace!, pod.Name, pod.Uid, node, (sandbox?.Ip ?? _host.Network.Gateway).ToString(), sandbox?.NetnsName,
            Path.Combine(_host.LogDirectory, $"{pod.Namespace}_{pod.Name}_{pod.Uid}"),
            $"{_host.CgroupRoot}/{node}/{pod.Uid}",
            spec)
        {
            VolumeProblem = volumeProblem,
        };
    }

    private void SyncContainers(StoredObject pod)
    {
        var context = _context!;
        var restartPolicy = pod.Node["spec"]?["restartPolicy"]?.ToString() ?? "Always";
        var grace = PodContext.GracePeriod(pod.Node);
        foreach (var spec in (pod.Node["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = spec["name"]!.ToString();
            if (_containers.TryGetValue(name, out var running))
            {
                if (running.Image != spec["image"]?.ToString())
                {
                    running.Replace(spec);
                }

                continue;
            }

            var runner = new ContainerRunner(_host, context, spec, ephemeral: false, restartPolicy, grace, () => null, Changed, Environment);
            lock (_gate)
            {
                _containers[name] = runner;
            }

            runner.Start();
        }

        foreach (var spec in (pod.Node["spec"]?["ephemeralContainers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = spec["name"]!.ToString();
            if (_ephemeral.ContainsKey(name))
            {
                continue;
            }

            var target = spec["targetContainerName"]?.ToString();
            var runner = new ContainerRunner(_host, context, spec, ephemeral: true, "Never", grace, () => target is null ? null : _containers.GetValueOrDefault(target)?.HostPid, Changed, Environment);
            lock (_gate)
            {
                _ephemeral[name] = runner;
            }

            runner.Start();
        }
    }

    /// <summary>A container's environment from the pod as it is now (its ConfigMaps and Secrets read when the container starts).</summary>
    private (Dictionary<string, string>? Environment, string? Problem) Environment(JsonObject container)
    {
        StoredObject pod;
        lock (_gate)
        {
            pod = _pod;
        }

        return ContainerEnvironment.Resolve(_store, pod.Node, _context!, container);
    }

    private void Changed()
    {
        Interlocked.Increment(ref _pendingWrites);
        _wake.Release();
    }

    /// <summary>Deletion: the pod leaves endpoints at once, its containers get SIGTERM and the grace period, then the sandbox and the pod go.</summary>
    private async Task TerminateAsync(StoredObject pod, bool gone)
    {
        var grace = gone ? TimeSpan.Zero : TimeSpan.FromSeconds(pod.Node["metadata"]?["deletionGracePeriodSeconds"]?.ToInt64() ?? 30);
        if (!gone)
        {
            WriteStatus(terminating: true);
        }

        await StopEverythingAsync(grace);
        if (!gone)
        {
            WriteStatus(terminating: true);
            while (!_disposing.IsCancellationRequested && _store.Get(ResourceTypes.Pods, pod.Namespace, pod.Name) is { } current && current.Uid == pod.Uid
                && current.Node["metadata"]?["finalizers"] is JsonArray { Count: > 0 })
            {
                // A finalizer holds the pod: its processes are gone, the object stays until the finalizer is removed.
                await ((Task)_wake.WaitAsync(TimeSpan.FromSeconds(1), _disposing.Token)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            _store.Remove(ResourceTypes.Pods, pod.Namespace, pod.Name, pod.Uid);
        }
    }

    private async Task StopEverythingAsync(TimeSpan grace)
    {
        List<ContainerRunner> runners;
        lock (_gate)
        {
            runners = [.. _ephemeral.Values, .. _containers.Values];
            _stopped.AddRange(runners);
            _ephemeral.Clear();
            _containers.Clear();
        }

        await Task.WhenAll(runners.Select(r => r.StopAsync(grace)));
        foreach (var runner in runners)
        {
            await runner.DisposeAsync();
        }

        if (Interlocked.Exchange(ref _sandbox, null) is { } sandbox)
        {
            await OffPool.Run(() => _host.Network.RemovePod(sandbox));
        }

        if (Interlocked.Exchange(ref _volumesRemoved, 1) == 0 && _context is { } context)
        {
            PodVolumes.Remove(_host, context.Node, context.Uid);
        }
    }
}
