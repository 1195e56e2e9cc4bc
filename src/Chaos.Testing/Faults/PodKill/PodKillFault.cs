using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Deletes the pods with a grace period (default 0). Nothing to recover: the owner replaces them.</summary>
internal sealed class PodKillFault(PodKillOptions options) : IFault<V1Pod>, ICatalogFault
{
    /// <summary>Gets a value indicating whether the fault writes ledger entries: it leaves nothing to recover.</summary>
    public bool WritesLedger => false;

    public static FaultDescriptor Descriptor { get; } = new()
    {
        Name = "pod-kill",
        Target = FaultTargetKind.Pod,
        Mechanism = FaultMechanism.Delete,
        OperatorAction = "pod-kill",
        Permissions = [.. FaultPermission.Core("pods", "delete")],
        Sample = t => t.Pods.Kill(),
    };

    public string Verb => "kill";

    public string Name => Descriptor.Name;

    public string? OperatorAction => Descriptor.OperatorAction;

    public void Validate(ICollection<string> errors) => options.Validate(errors);

    public Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Pod> pods, SafetyOptions safety, CancellationToken cancellationToken)
    {
        // Any pod can be killed; one without a controller is simply not replaced (docs/faults/pod-kill.md).
        return Task.CompletedTask;
    }

    public Task InjectAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var grace = (long)options.GracePeriod.TotalSeconds;
        return Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken }, async (pod, ct) =>
        {
            var ns = pod.Metadata.NamespaceProperty;
            var name = pod.Metadata.Name;
            try
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        // The uid precondition makes sure a same-named replacement (StatefulSet) is never the one killed.
                        await context.Api.CallAsync("delete", "pods", ns, c => context.Client.CoreV1.DeleteNamespacedPodAsync(
                            name, ns, new V1DeleteOptions { GracePeriodSeconds = grace, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: c), ct);
                        break;
                    }
                    catch (Exception ex) when (ApiCalls.IsConflict(ex) && attempt < ObjectWrites.MaxConflicts)
                    {
                        // The very pod still there means the conflict was not its precondition failing: it was not killed yet.
                        if (!await ObjectWrites.IsStillThereAsync(context.Client, context.Api, pod, ct))
                        {
                            throw;
                        }
                    }
                }

                context.Recorder.Affected("Pod", ns, name, $"killed (grace {grace}s)");
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex) || ApiCalls.IsConflict(ex))
            {
                // 404: gone already; 409: the uid precondition failed, so the pod of that name is a newer one.
                context.Recorder.Affected("Pod", ns, name, "already gone");
                return;
            }

            await context.Events.PublishAsync(pod, "ChaosInjected", $"pod killed with grace period {grace}s", ct);
        });
    }

    public Task RecoverAsync(FaultContext context, IReadOnlyList<V1Pod> targets, CancellationToken cancellationToken) => Task.CompletedTask;
}
