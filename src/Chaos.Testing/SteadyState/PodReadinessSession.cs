using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Keeps a live view of the pods of a selector (list, then watch from that version; relist on 410 or a dropped
/// stream) and evaluates the steady state on every event.
/// </summary>
internal class PodReadinessSession : ProbeSession
{
    private readonly ProbeRuntime _runtime;
    private readonly Func<int, int, (bool Held, string Observed)> _evaluate;

    public PodReadinessSession(ProbeRuntime runtime, string ns, string? labelSelector, Func<int, int, (bool Held, string Observed)> evaluate)
        : base(runtime.Time)
    {
        _runtime = runtime;
        Namespace = ns;
        LabelSelector = labelSelector;
        _evaluate = evaluate;
    }

    protected string Namespace { get; }

    protected string? LabelSelector { get; set; }

    protected ProbeRuntime Runtime => _runtime;

    private readonly object _gate = new();
    private CancellationTokenSource? _resync;
    private TaskCompletionSource? _synced;

    public override Task SyncAsync(CancellationToken cancellationToken)
    {
        Task synced;
        lock (_gate)
        {
            _synced ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            synced = _synced.Task;
            _resync?.Cancel();
        }

        return synced.WaitAsync(cancellationToken);
    }

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TaskCompletionSource? synced;
            using var resync = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            lock (_gate)
            {
                _resync = resync;
                synced = _synced;
                _synced = null;
            }

            // A list is the cluster as it is now; the watch then carries on from exactly that version.
            var list = await _runtime.Api.CallAsync("list", "pods", Namespace,
                ct => _runtime.Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: LabelSelector, cancellationToken: ct), cancellationToken);
            var pods = list.Items.ToDictionary(p => p.Metadata.Uid, StringComparer.Ordinal);
            Evaluate(pods);
            synced?.TrySetResult();
            var version = list.Metadata.ResourceVersion;
            try
            {
                await foreach (var (type, pod) in _runtime.Client.CoreV1.WatchListNamespacedPodAsync(
                    Namespace, labelSelector: LabelSelector, resourceVersion: version, cancellationToken: resync.Token))
                {
                    if (type == WatchEventType.Deleted)
                    {
                        pods.Remove(pod.Metadata.Uid);
                    }
                    else if (type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        pods[pod.Metadata.Uid] = pod;
                    }

                    Evaluate(pods);
                }
            }
            catch (Exception ex) when (ex is KubernetesException or HttpOperationException or HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The watch expired (410), dropped, or a sync asked for a fresh list: list again and carry on.
            }
        }
    }

    private void Evaluate(Dictionary<string, V1Pod> pods)
    {
        var live = pods.Values.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        var ready = live.Count(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        var (held, observed) = Evaluate(ready, live.Count);
        Publish(held, observed);
    }

    /// <summary>Whether <paramref name="ready"/> Ready pods of <paramref name="total"/> live ones is the steady state.</summary>
    protected virtual (bool Held, string Observed) Evaluate(int ready, int total) => _evaluate(ready, total);
}
