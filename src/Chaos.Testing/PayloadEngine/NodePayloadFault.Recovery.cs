using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Recovery of node payloads: the live run's early stop and the janitor's restore share this code.</summary>
internal abstract partial class NodePayloadFault
{
    /// <summary>Deletes the payload pod (its TERM trap removes the fault), then runs a cleanup pod; shared with the janitor.</summary>
    internal static async Task<string> RecoverNodeAsync(IKubernetes client, ApiCalls api, TimeProvider time, LedgerEntry entry, CancellationToken cancellationToken)
    {
        var record = LedgerRecord.Read<NodePayloadRecord>(entry);
        var ns = record.Namespace;
        var podName = record.Pod;
        var hostPath = record.HostPath;
        V1Pod? payload = null;
        try
        {
            payload = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
        }

        var ended = payload?.Status?.Phase == "Succeeded";
        if (payload is not null)
        {
            await DeleteAndWaitAsync(client, api, time, ns, podName, cancellationToken);
        }

        if (ended)
        {
            return $"payload pod {ns}/{podName} had ended and removed the fault";
        }

        // The payload was stopped early (or is gone without a trace): the cleanup script runs in a pod of its own.
        var cleanupName = $"{podName}-cleanup";
        var nodeName = payload?.Spec?.NodeName ?? record.Node;
        var cleanup = PayloadPod(ns, cleanupName, nodeName, record.Image, hostPath, ["sh", "-c", record.Cleanup, "chaos-cleanup"], 0, entry.Experiment);
        try
        {
            await api.CallAsync("create", "pods", ns, ct => client.CoreV1.CreateNamespacedPodAsync(cleanup, ns, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsConflict(ex))
        {
        }

        var deadline = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        while (true)
        {
            var current = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(cleanupName, ns, cancellationToken: ct), cancellationToken);
            if (current.Status?.Phase == "Succeeded")
            {
                break;
            }

            if (current.Status?.Phase == "Failed" || time.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException($"cleanup pod {ns}/{cleanupName} did not succeed (phase {current.Status?.Phase ?? "unknown"}); see kubectl logs -n {ns} {cleanupName}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }

        await DeleteAndWaitAsync(client, api, time, ns, cleanupName, cancellationToken);
        return $"payload pod {ns}/{podName} stopped early, cleaned up by {cleanupName}";
    }

    private static async Task DeleteAndWaitAsync(IKubernetes client, ApiCalls api, TimeProvider time, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await api.CallAsync("delete", "pods", ns, ct => client.CoreV1.DeleteNamespacedPodAsync(name, ns, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            return;
        }

        var deadline = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        while (time.GetUtcNow() < deadline)
        {
            try
            {
                await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: ct), cancellationToken);
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }

        throw new TimeoutException($"pod {ns}/{name} was not gone within a minute of its deletion");
    }

    /// <summary>The descriptor of a node payload fault: the permissions and restore every node payload shares.</summary>
    protected static FaultDescriptor NodePayloadDescriptor(string name, string? operatorAction, Func<FaultSampleTargets, ChaosExperiment> sample) => new()
    {
        Name = name,
        Family = name,
        Target = FaultTargetKind.Node,
        Mechanism = FaultMechanism.NodePayload,
        OperatorAction = operatorAction,
        Permissions = [.. FaultPermission.Core("nodes", "update"), .. FaultPermission.Core("pods", "create", "delete"), .. FaultPermission.Core("pods/log", "get")],
        Restore = Restoration,
        Sample = sample,
    };

    private sealed class NodePayloadRestore : ICrashRestore
    {
        public async Task<string> RestoreAsync(RestoreContext context, IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry, CancellationToken cancellationToken)
        {
            var node = RestoreContext.TargetOf<V1Node>(target, entry);
            var record = LedgerRecord.Read<NodePayloadRecord>(entry);
            if (record.Node != node.Metadata.Name || !record.Pod.StartsWith($"chaos-{entry.Fault}-{entry.Experiment}-", StringComparison.Ordinal))
            {
                throw new InvalidDataException(
                    $"the entry names payload pod {record.Namespace}/{record.Pod} on node {record.Node}, which this experiment's payload on {node.Metadata.Name} "
                    + $"would not be (chaos-{entry.Fault}-{entry.Experiment}-<n>); nothing was changed, the entry stays");
            }

            // The cleanup pod is a write in the record's namespace: the guards apply there too.
            await Planner.GuardNamespaceAsync(record.Namespace, context.Client, context.Api, context.Safety, cancellationToken);
            var done = await RecoverNodeAsync(context.Client, context.Api, context.Time, entry, cancellationToken);
            await LedgerWrites.RemoveEntryAsync(context.Client, context.Api, context.Time, node, entry.Experiment, cancellationToken);
            return done;
        }
    }
}
