using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Deletes each pod gracefully, then waits until its owner's replacement is Ready (a new pod of the same
/// controller, or for a StatefulSet the same name with a new uid). Fails clearly when none comes in time.
/// </summary>
internal sealed class PodRestartFault(PodRestartOptions options) : IFault<V1Pod>, ICatalogFault
{
    /// <summary>Gets a value indicating whether the fault writes ledger entries: it leaves nothing to recover.</summary>
    public bool WritesLedger => false;

    public static FaultDescriptor Descriptor { get; } = new()
    {
        Name = "pod-restart",
        Target = FaultTargetKind.Pod,
        Mechanism = FaultMechanism.Delete,
        OperatorAction = "pod-restart",
        Permissions = [.. FaultPermission.Core("pods", "delete")],
        Sample = t => t.Pods.Restart(),
    };

    public string Verb => "restart";

    public string Name => Descriptor.Name;

    public string? OperatorAction => Descriptor.OperatorAction;

    public void Validate(ICollection<string> errors) => options.Validate(errors);

    public Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Pod> pods, SafetyOptions safety, CancellationToken cancellationToken)
    {
        foreach (var pod in pods)
        {
            if (pod.Metadata.OwnerReferences?.Any(o => o.Controller == true) != true)
            {
                throw new ChaosRefusedException(
                    $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} has no controller (Deployment, StatefulSet, DaemonSet...), so a restart would leave it deleted. "
                    + "Target pods that have an owner, or use Kill() if deleting it is what you want. Nothing was changed.");
            }
        }

        return Task.CompletedTask;
    }

    public Task InjectAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var known = pods.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        var claimed = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        return Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken }, async (pod, ct) =>
        {
            var ns = pod.Metadata.NamespaceProperty;
            var owner = pod.Metadata.OwnerReferences.First(o => o.Controller == true);
            var deleteOptions = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } };
            if (options.GracePeriod is { } grace)
            {
                deleteOptions.GracePeriodSeconds = (long)grace.TotalSeconds;
            }

            var version = await context.Api.CallAsync("list", "pods", ns, c => context.Client.CoreV1.ListNamespacedPodAsync(ns, limit: 1, cancellationToken: c), ct);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await context.Api.CallAsync("delete", "pods", ns, c => context.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, deleteOptions, cancellationToken: c), ct);
                    break;
                }
                catch (Exception ex) when (ApiCalls.IsNotFound(ex) || ApiCalls.IsConflict(ex))
                {
                    // A conflict while the very pod (same uid) is still there is not a failed precondition: delete it again,
                    // or the restart would wait for a replacement of a pod that was never deleted.
                    if (ApiCalls.IsConflict(ex) && attempt < ObjectWrites.MaxConflicts && await ObjectWrites.IsStillThereAsync(context.Client, context.Api, pod, ct))
                    {
                        continue;
                    }

                    context.Recorder.Affected("Pod", ns, pod.Metadata.Name, "already gone");
                    break;
                }
            }

            context.Recorder.Affected("Pod", ns, pod.Metadata.Name, $"restarted (graceful delete{(options.GracePeriod is { } g ? $", grace {g.TotalSeconds:F0}s" : string.Empty)})");
            await context.Events.PublishAsync(pod, "ChaosInjected", "pod restarted (graceful delete)", ct);
            var replacement = await WaitForReplacementAsync(context, pod, owner, known, claimed, version.Metadata.ResourceVersion, ct);
            context.Recorder.Affected("Pod", ns, replacement, $"replacement of {pod.Metadata.Name} Ready");
        });
    }

    public Task RecoverAsync(FaultContext context, IReadOnlyList<V1Pod> targets, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits for a Ready replacement that no other restart of this run has claimed (two restarts of one owner need two).</summary>
    private async Task<string> WaitForReplacementAsync(FaultContext context, V1Pod pod, V1OwnerReference owner, HashSet<string> known, System.Collections.Concurrent.ConcurrentDictionary<string, bool> claimed, string resourceVersion, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.ReplacementTimeout, context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var ns = pod.Metadata.NamespaceProperty;
        bool IsReplacement(V1Pod p) =>
            !known.Contains(p.Metadata.Uid)
            && p.Metadata.DeletionTimestamp is null
            && p.Metadata.OwnerReferences?.Any(o => o.Uid == owner.Uid) == true
            && (owner.Kind != "StatefulSet" || p.Metadata.Name == pod.Metadata.Name)
            && p.IsReady();

        try
        {
            while (true)
            {
                // Watch from the version taken before the delete, so a replacement that is fast is not missed.
                await foreach (var (_, p) in context.Client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: resourceVersion, cancellationToken: linked.Token))
                {
                    resourceVersion = p.Metadata.ResourceVersion;
                    if (IsReplacement(p) && claimed.TryAdd(p.Metadata.Uid, true))
                    {
                        return p.Metadata.Name;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"The {owner.Kind} {ns}/{owner.Name} did not bring a Ready replacement for pod {pod.Metadata.Name} within {options.ReplacementTimeout.TotalSeconds:0.###}s "
                + "(Restart.ReplacementTimeout). Check that it can schedule and pass its readiness probe, or raise the timeout.");
        }
    }
}
