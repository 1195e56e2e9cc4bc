using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Watches the target container of each pod a payload holds, during the hold: when it restarts or ends (a network fault
/// that fails its liveness probe causes exactly that), the fault is removed from that pod at once, and the result says
/// so. The other pods keep their fault until the hold ends. Polls once per <see cref="Interval"/>, one list per namespace.
/// </summary>
internal static class TargetRestartMonitor
{
    /// <summary>How often the target containers are looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Runs until <paramref name="holdEnded"/>; never throws but for that cancellation.</summary>
    /// <param name="context">The run.</param>
    /// <param name="pods">The pods as injected.</param>
    /// <param name="targetOf">The name of the container the payload acts for in a pod.</param>
    /// <param name="recoverPod">Removes the fault from one pod now (the fault's own early recovery); returns what it did.</param>
    /// <param name="holdEnded">Cancelled when the hold ends.</param>
    public static async Task RunAsync(FaultContext context, IReadOnlyList<V1Pod> pods, Func<V1Pod, string> targetOf, Func<V1Pod, CancellationToken, Task<string?>> recoverPod, CancellationToken holdEnded)
    {
        // What each target container was when the run picked it: a restart since (during injection too) counts.
        var watching = pods.ToDictionary(
            p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}",
            p => (Pod: p, Status: (V1ContainerStatus?)(p.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == targetOf(p)) ?? new V1ContainerStatus { Name = targetOf(p), RestartCount = 0 })),
            StringComparer.Ordinal);
        while (watching.Count > 0)
        {
            await Task.Delay(Interval, context.Time, holdEnded);
            if (await TrySnapshotAsync(context, watching.Values.Select(v => v.Pod).ToList(), targetOf, holdEnded) is not { } now)
            {
                continue;
            }

            foreach (var (key, seen) in now)
            {
                var before = watching[key];
                if (seen.Status is null)
                {
                    watching.Remove(key); // the pod is gone, and its fault with it
                    continue;
                }

                var why = seen.Status.RestartCount > before.Status!.RestartCount ? $"restarted (restart count {before.Status.RestartCount} → {seen.Status.RestartCount})"
                    : seen.Status.State?.Terminated is { } ended ? $"ended (exit code {ended.ExitCode})"
                    : seen.Status.ContainerID != before.Status.ContainerID && before.Status.ContainerID is not null ? "was replaced (new container id)"
                    : null;
                if (why is null)
                {
                    continue;
                }

                watching.Remove(key);
                await RecoverNowAsync(context, seen.Pod, $"target container {targetOf(seen.Pod)} {why} during the hold", recoverPod);
            }
        }
    }

    private static async Task RecoverNowAsync(FaultContext context, V1Pod pod, string why, Func<V1Pod, CancellationToken, Task<string?>> recoverPod)
    {
        try
        {
            // Its own bound, not the hold's token: the removal must finish even though the hold may end meanwhile.
            using var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var action = await recoverPod(pod, bounded.Token);
            context.Recorder.Affected("Pod", pod.Metadata.NamespaceProperty, pod.Metadata.Name, $"{why}: fault removed at once ({action ?? "nothing was left"})");
        }
        catch (Exception ex)
        {
            // The run's recovery at the end of the hold tries again and reports what is left.
            context.Recorder.Error($"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}: {why}, but removing the fault at once failed ({ex.Message}); the run's recovery tries again", ex);
        }
    }

    /// <summary>The snapshot, or null (said in the result) when the API did not answer; the next interval tries again.</summary>
    private static async Task<Dictionary<string, (V1Pod Pod, V1ContainerStatus? Status)>?> TrySnapshotAsync(
        FaultContext context, IReadOnlyList<V1Pod> pods, Func<V1Pod, string> targetOf, CancellationToken cancellationToken)
    {
        try
        {
            return await SnapshotAsync(context, pods, targetOf, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            context.Recorder.Error($"watching the target containers for restarts failed ({ex.Message}); tried again in {Interval.TotalSeconds:0}s", ex);
            return null;
        }
    }

    private static async Task<Dictionary<string, (V1Pod Pod, V1ContainerStatus? Status)>> SnapshotAsync(
        FaultContext context, IReadOnlyList<V1Pod> pods, Func<V1Pod, string> targetOf, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (V1Pod, V1ContainerStatus?)>(StringComparer.Ordinal);
        foreach (var group in pods.GroupBy(p => p.Metadata.NamespaceProperty, StringComparer.Ordinal))
        {
            var listed = await context.Api.CallAsync("list", "pods", group.Key, ct => context.Client.CoreV1.ListNamespacedPodAsync(group.Key, cancellationToken: ct), cancellationToken);
            foreach (var pod in group)
            {
                var key = $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
                var current = listed.Items.FirstOrDefault(p => p.Metadata.Name == pod.Metadata.Name && p.Metadata.Uid == pod.Metadata.Uid);
                result[key] = current is null
                    ? (pod, null)
                    : (current, current.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == targetOf(pod)) ?? new V1ContainerStatus { Name = targetOf(pod), RestartCount = 0 });
            }
        }

        return result;
    }
}
