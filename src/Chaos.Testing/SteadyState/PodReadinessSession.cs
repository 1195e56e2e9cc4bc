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

    private readonly Func<V1Pod, bool> _filter;

    public PodReadinessSession(ProbeRuntime runtime, string ns, string? labelSelector, Func<int, int, (bool Held, string Observed)> evaluate, string? fieldSelector = null, Func<V1Pod, bool>? filter = null)
        : base(runtime.Time)
    {
        _runtime = runtime;
        Namespace = ns;
        LabelSelector = labelSelector;
        FieldSelector = fieldSelector;
        _evaluate = evaluate;
        _filter = filter ?? (_ => true);
    }

    protected string? FieldSelector { get; }

    protected string Namespace { get; }

    protected string? LabelSelector { get; set; }

    protected ProbeRuntime Runtime => _runtime;

    private readonly object _gate = new();
    private CancellationTokenSource? _resync;
    private TaskCompletionSource? _synced;

    public override async Task SyncAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        Task synced;
        lock (_gate)
        {
            _synced ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            synced = _synced.Task;
            _resync?.Cancel();
        }

        await Task.WhenAny(synced, Stopped).WaitAsync(cancellationToken);
        ThrowIfFailed();
    }

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
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

            try
            {
                await ListThenWatchAsync(synced, resync.Token, cancellationToken);
                failures = 0;
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == System.Net.HttpStatusCode.Forbidden)
            {
                throw new ChaosRefusedException($"The Kubernetes API refused to watch pods in namespace \"{Namespace}\" (403 Forbidden), which this probe needs: grant the 'watch' verb on 'pods'.", ex);
            }
            catch (OperationCanceledException) when (resync.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // A sync asked for a fresh list.
            }
            catch (Exception ex) when (ex is KubernetesException or HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // The watch expired (410) or dropped: back off a little, then list again and carry on.
                failures++;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 25 * (1 << Math.Min(failures, 7)))), Time, cancellationToken);
            }
            finally
            {
                lock (_gate)
                {
                    _resync = null;
                }
            }
        }
    }

    // A list is the cluster as it is now; the watch then carries on from exactly that version.
    private async Task ListThenWatchAsync(TaskCompletionSource? synced, CancellationToken watchToken, CancellationToken cancellationToken)
    {
        var list = await _runtime.Api.CallAsync("list", "pods", Namespace,
            ct => _runtime.Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: LabelSelector, fieldSelector: FieldSelector, cancellationToken: ct), cancellationToken);
        var pods = list.Items.ToDictionary(p => p.Metadata.Uid, StringComparer.Ordinal);
        Evaluate(pods);
        synced?.TrySetResult();
        await foreach (var (type, pod) in _runtime.Client.CoreV1.WatchListNamespacedPodAsync(
            Namespace, labelSelector: LabelSelector, fieldSelector: FieldSelector, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: watchToken))
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

    private void Evaluate(Dictionary<string, V1Pod> pods)
    {
        var live = pods.Values.Where(p => p.Metadata.DeletionTimestamp is null && _filter(p)).ToList();
        var ready = live.Count(p => p.IsReady());
        var (held, observed) = Evaluate(ready, live.Count);
        Publish(held, observed);
    }

    /// <summary>Whether <paramref name="ready"/> Ready pods of <paramref name="total"/> live ones is the steady state.</summary>
    protected virtual (bool Held, string Observed) Evaluate(int ready, int total) => _evaluate(ready, total);
}
