using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Recovery of node payloads: the live run's early stop and the janitor's restore share this code.</summary>
internal abstract partial class NodePayloadFault
{
    /// <summary>
    /// Deletes the payload pod (its TERM trap removes the fault), then, if it had not ended by itself, runs a cleanup pod
    /// built from code (<see cref="PayloadCleanup"/>) that checks nothing is left; shared with the janitor.
    /// </summary>
    internal static async Task<string> RecoverNodeAsync(IKubernetes client, ApiCalls api, TimeProvider time, string experimentId, NodeCleanupPlan plan, CancellationToken cancellationToken)
    {
        var ns = plan.Namespace;
        var podName = NodePayloadRecord.PodName(plan.Fault, experimentId, plan.Record.Index);
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

        // The payload was stopped early (or is gone without a trace): the cleanup runs in a pod of its own, a fresh one per attempt.
        var hostPath = plan.Profile.FillsDisk ? plan.Record.Path : null;
        var script = PayloadCleanup.Render(experimentId, new PayloadCleanupTargets(FillFile: hostPath is null ? null : $"{HostMount}/{DiskFillPayloads.FileName(experimentId)}"));
        var failures = new List<string>();
        for (var attempt = 1; attempt <= PodCleanupRun.MaxAttempts; attempt++)
        {
            var (cleanupName, state) = await RunCleanupPodAsync(client, api, time, plan, podName, hostPath, script, experimentId, cancellationToken);
            if (state is null)
            {
                await DeleteAndWaitAsync(client, api, time, ns, cleanupName, cancellationToken);
                return $"payload pod {ns}/{podName} stopped early, cleaned up by {cleanupName} (verified)";
            }

            if (state.Terminated is { } failed)
            {
                throw new InvalidOperationException(
                    $"cleanup pod {ns}/{cleanupName} exited {failed.ExitCode}: {(string.IsNullOrWhiteSpace(failed.Message) ? failed.Reason : failed.Message.Trim())}; "
                    + "the fault may still be in place, so the ledger entry stays for the janitor");
            }

            failures.Add($"{cleanupName}: image \"{plan.Image}\" {state.Waiting!.Reason}{(string.IsNullOrEmpty(state.Waiting.Message) ? string.Empty : $": {state.Waiting.Message}")}");
            await DeleteAndWaitAsync(client, api, time, ns, cleanupName, cancellationToken);
        }

        throw new InvalidOperationException(
            $"no cleanup pod could start for {ns}/{podName} after {PodCleanupRun.MaxAttempts} attempts ({string.Join("; ", failures)}); "
            + "make the image pullable from the node (or preload it), or set SweepOptions.PayloadImages for the janitor. The ledger entry stays.");
    }

    /// <summary>Creates <c>&lt;pod&gt;-cleanup-&lt;n&gt;</c> (the first n not taken) and waits: null when it succeeded, else its failed or unpullable state.</summary>
    private static async Task<(string Name, V1ContainerState? Failure)> RunCleanupPodAsync(
        IKubernetes client, ApiCalls api, TimeProvider time, NodeCleanupPlan plan, string podName, string? hostPath, string script, string experimentId, CancellationToken cancellationToken)
    {
        var ns = plan.Namespace;
        string cleanupName;
        for (var n = 1; ; n++)
        {
            cleanupName = $"{podName}-cleanup-{n}";
            var cleanup = PayloadPod(ns, cleanupName, plan.Record.Node, plan.Image, hostPath, ["sh", "-c", script, "chaos-cleanup"], 0, experimentId, plan.Profile);
            try
            {
                await api.CallAsync("create", "pods", ns, ct => client.CoreV1.CreateNamespacedPodAsync(cleanup, ns, cancellationToken: ct), cancellationToken);
                break;
            }
            catch (Exception ex) when (ApiCalls.IsConflict(ex) && n < 20)
            {
                // A pod of an earlier attempt (its answer lost, or it failed): never reused, the next name is.
            }
        }

        var deadline = time.GetUtcNow() + plan.CleanupTimeout;
        while (true)
        {
            var current = await api.CallAsync("get", "pods", ns, ct => client.CoreV1.ReadNamespacedPodAsync(cleanupName, ns, cancellationToken: ct), cancellationToken);
            var state = current.Status?.ContainerStatuses?.FirstOrDefault()?.State;
            if (current.Status?.Phase == "Succeeded")
            {
                return (cleanupName, null);
            }

            if (current.Status?.Phase == "Failed" || state?.Waiting is { Reason: "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" })
            {
                return (cleanupName, state ?? new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = -1, Reason = current.Status?.Reason ?? "Failed" } });
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"cleanup pod {ns}/{cleanupName} did not finish within {plan.CleanupTimeout.TotalSeconds:0}s (phase {current.Status?.Phase ?? "unknown"}): the image {plan.Image} may still be pulling on node {plan.Record.Node}; raise the fault's CleanupTimeout option, or pre-pull the image; see kubectl logs -n {ns} {cleanupName}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
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
    protected static FaultDescriptor NodePayloadDescriptor(string name, string? operatorAction, Func<FaultSampleTargets, ChaosExperiment> sample, PayloadProfile profile) => new()
    {
        Name = name,
        Family = name,
        Target = FaultTargetKind.Node,
        Mechanism = FaultMechanism.NodePayload,
        OperatorAction = operatorAction,
        Permissions = [.. FaultPermission.Core("nodes", "update"), .. FaultPermission.Core("pods", "create", "delete"), .. FaultPermission.Core("pods/log", "get")],
        Restore = new NodePayloadRestore(profile),
        Sample = sample,
    };

    /// <summary>The crash restore of a node payload: validate the typed record, delete its pod, a code-built cleanup pod if it stopped early, drop the entry.</summary>
    private sealed class NodePayloadRestore(PayloadProfile profile) : ICrashRestore
    {
        public PayloadProfile Profile => profile;

        public async Task<string> RestoreAsync(RestoreContext context, IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry, CancellationToken cancellationToken)
        {
            var node = RestoreContext.TargetOf<V1Node>(target, entry);
            var record = NodePayloadRecord.ReadValid(entry, node.Metadata.Name, profile);
            var configuration = context.Payloads ?? PayloadConfiguration.Default;
            var plan = new NodeCleanupPlan(entry.Fault, configuration.NodePayloadNamespace, configuration.ImageFor(entry.Fault, profile.DefaultImage), profile, record);

            // The cleanup pod is a write in the configured namespace: the guards apply there too.
            await Planner.GuardNamespaceAsync(plan.Namespace, context.Client, context.Api, context.Safety, cancellationToken);
            var done = await RecoverNodeAsync(context.Client, context.Api, context.Time, entry.Experiment, plan, cancellationToken);
            await LedgerWrites.RemoveEntryAsync(context.Client, context.Api, context.Time, node, entry.Experiment, cancellationToken);
            return done;
        }
    }
}
