using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// The kubelet of the process runtime: every pod bound to a node gets a <see cref="PodWorker"/> that runs it for real;
/// this controller only hands each worker its pod's latest version, so the controllers' loop never waits for a process.
/// Pods bound to a node that no longer exists are removed (pod garbage collection), as with the simulated kubelet.
/// </summary>
internal sealed class ProcessKubelet : IController, IContainerLogSource, IAsyncDisposable
{
    private readonly ProcessRuntimeHost _host;
    private readonly ResourceStore _store;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public ProcessKubelet(ProcessRuntimeHost host, ResourceStore store, TimeProvider time)
    {
        _host = host;
        _store = store;
        _time = time;
    }

    public string Name => "kubelet";

    /// <summary>The worker running the pod with this uid, if any (for logs).</summary>
    public PodWorker? Worker(string uid)
    {
        lock (_gate)
        {
            return _workers.GetValueOrDefault(uid);
        }
    }

    /// <inheritdoc />
    public ContainerLogFile? Find(string podUid, string podName, string container, bool previous)
    {
        var runner = Worker(podUid)?.Container(container);
        if (runner is null)
        {
            return null;
        }

        var restart = runner.RestartCount - (previous ? 1 : 0);
        if (restart < 0)
        {
            throw ApiException.BadRequest($"previous terminated container \"{container}\" in pod \"{podName}\" not found");
        }

        var path = Worker(podUid)?.LogPath(container, restart);
        return path is null ? null : new ContainerLogFile(path, previous ? null : runner.Running);
    }

    public void Reconcile(DateTimeOffset now)
    {
        var (pods, _) = _store.List(ResourceTypes.Pods, null, p => !string.IsNullOrEmpty(PodLifecycle.NodeOf(p)));
        var (nodes, _) = _store.List(ResourceTypes.Nodes, null);
        var nodeNames = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var failures = new ObjectFailures(Name);
        foreach (var pod in pods)
        {
            failures.Run(pod, () =>
            {
                if (!nodeNames.Contains(PodLifecycle.NodeOf(pod)))
                {
                    _store.Remove(ResourceTypes.Pods, pod.Namespace, pod.Name, pod.Uid);
                    return;
                }

                seen.Add(pod.Uid);
                PodWorker? worker;
                lock (_gate)
                {
                    worker = _workers.GetValueOrDefault(pod.Uid);
                }

                if (worker is null)
                {
                    if (pod.Node["status"]?["phase"]?.ToString() is "Succeeded" or "Failed" && !pod.Terminating)
                    {
                        return; // an ended pod whose worker is gone (the emulator restarted it is not): nothing runs it
                    }

                    worker = new PodWorker(_host, _store, _time, pod);
                    lock (_gate)
                    {
                        _workers[pod.Uid] = worker;
                    }

                    worker.Start();
                }
                else
                {
                    worker.Notify(pod);
                }
            });
        }

        List<PodWorker> ended;
        lock (_gate)
        {
            foreach (var (uid, worker) in _workers.Where(w => !seen.Contains(w.Key)).ToList())
            {
                worker.Notify(null); // the pod is gone (force-deleted): its processes stop at once
            }

            ended = _workers.Values.Where(w => w.Done).ToList();
            foreach (var worker in ended)
            {
                _workers.Remove(worker.Uid);
            }
        }

        foreach (var worker in ended)
        {
            if (worker.Error is { } error)
            {
                throw new InvalidOperationException($"the process runtime failed to run pod {worker.Uid}: {error.Message}", error);
            }
        }

        failures.ThrowIfAny();
    }

    public async ValueTask DisposeAsync()
    {
        List<PodWorker> workers;
        lock (_gate)
        {
            workers = [.. _workers.Values];
            _workers.Clear();
        }

        await Task.WhenAll(workers.Select(w => w.DisposeAsync().AsTask()));
    }
}
