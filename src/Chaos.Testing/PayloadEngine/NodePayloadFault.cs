using System.Globalization;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// A fault carried out by a pod pinned to each target node (<c>nodeName</c>, tolerating every taint, never restarted).
/// Inject: ledger entry on the node (naming the pod and its cleanup), then the pod, then wait until it runs. The payload
/// removes the fault when its hold ends or on TERM. Recovery deletes the pod (TERM → its trap cleans up; a stressor dies
/// with its pod), then runs a short cleanup pod with the same mounts, so a file left by a payload killed hard is removed too.
/// </summary>
internal abstract class NodePayloadFault : IFault<V1Node>
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The crash restore of every node payload: delete its pod, run the cleanup pod if it stopped early, drop the entry.</summary>
    internal static readonly ICrashRestore Restoration = new NodePayloadRestore();

    /// <summary>Gets what the fault is.</summary>
    public abstract FaultDescriptor Definition { get; }

    /// <summary>Gets the fault's ledger name and pod-name prefix, e.g. <c>node-cpu-stress</c>.</summary>
    public string Name => Definition.Name;

    public abstract string Verb { get; }

    /// <summary>Gets the namespace the payload pods are created in.</summary>
    protected abstract string PayloadNamespace { get; }

    protected abstract string Image { get; }

    /// <summary>Gets the node directory to mount (hostPath) at <see cref="HostMount"/>, or null for none.</summary>
    protected virtual string? HostPath => null;

    protected const string HostMount = "/host";

    public abstract void Validate(ICollection<string> errors);

    protected abstract PayloadScript ScriptFor(FaultContext context, V1Node node, string tag);

    protected abstract string Describe(V1Node node);

    /// <summary>How long the payload holds: the experiment's duration.</summary>
    protected virtual TimeSpan PayloadHold(FaultContext context) => context.Hold;

    public async Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Node> nodes, SafetyOptions safety, CancellationToken cancellationToken)
    {
        // The payload pods are writes in that namespace: the namespace guards apply to it, and its Pod Security level.
        await Planner.GuardNamespaceAsync(PayloadNamespace, context.Client, context.Api, safety, cancellationToken);
        var ns = await context.Api.CallAsync("get", "namespaces", null, ct => context.Client.CoreV1.ReadNamespaceAsync(PayloadNamespace, cancellationToken: ct), cancellationToken);
        string? level = null;
        ns.Metadata.Labels?.TryGetValue(PayloadPreflight.EnforceLabel, out level);
        if (level == "restricted" || (level == "baseline" && HostPath is not null))
        {
            throw new ChaosRefusedException(
                $"Namespace \"{PayloadNamespace}\" enforces Pod Security \"{level}\", which forbids the payload pod of {Verb}"
                + (HostPath is null ? " (it runs as root)" : $" (it mounts the node directory {HostPath} with hostPath)")
                + $". Set the Namespace option to a namespace labelled {PayloadPreflight.EnforceLabel}=privileged. Nothing was changed.");
        }
    }

    public Task InjectAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(nodes.Select((n, i) => (Node: n, Index: i)), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var node = item.Node;
            var tag = context.ExperimentId;
            var podName = $"chaos-{Name}-{context.ExperimentId}-{item.Index}";
            var script = ScriptFor(context, node, tag);
            var recovery = new NodePayloadRecord
            {
                Namespace = PayloadNamespace,
                Node = node.Metadata.Name,
                Pod = podName,
                Image = Image,
                HostPath = HostPath,
                Cleanup = script.RenderCleanup(),
            };
            var marked = await LedgerWrites.UpdateAsync(context.Client, context.Api, node, current =>
            {
                if (Ledger.EntryOf(current.Metadata, context.ExperimentId) is not null)
                {
                    return false;
                }

                Ledger.Add(current.Metadata, context.LedgerEntry(Name, recovery));
                return true;
            }, ct);
            if (marked is null)
            {
                context.Recorder.Affected("Node", null, node.Metadata.Name, "already gone");
                return;
            }

            var hold = Math.Max(1, Math.Ceiling(PayloadHold(context).TotalSeconds));
            var pod = PayloadPod(PayloadNamespace, podName, node.Metadata.Name, Image, HostPath, script.Command(script.Render(PayloadHold(context))), hold, context.ExperimentId);
            try
            {
                await context.Api.CallAsync("create", "pods", PayloadNamespace, c => context.Client.CoreV1.CreateNamespacedPodAsync(pod, PayloadNamespace, cancellationToken: c), ct);
            }
            catch (Exception ex) when (ApiCalls.IsConflict(ex))
            {
                // Created by an earlier attempt whose answer was lost: it is ours (the name carries the experiment id).
            }

            await WaitRunningAsync(context, podName, ct);
            await PayloadInstalled.WaitAsync(context, PayloadNamespace, podName, "payload", ephemeral: false, oneShot: false, StartTimeout, ct);
            context.Recorder.Affected("Node", null, node.Metadata.Name, Describe(node));
            await context.Events.PublishAsync("Node", node.Metadata, "ChaosInjected", $"{Verb}: pod {PayloadNamespace}/{podName} ({Image})", ct);
        });

    public async Task RecoverAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken)
    {
        var left = new System.Collections.Concurrent.ConcurrentBag<string>();
        Exception? lastError = null;
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (node, _) =>
        {
            try
            {
                var current = await context.Api.CallAsync("get", "nodes", null, ct => context.Client.CoreV1.ReadNodeAsync(node.Metadata.Name, cancellationToken: ct), cancellationToken);
                if (Ledger.EntryOf(current.Metadata, context.ExperimentId) is not { } entry)
                {
                    return;
                }

                var action = await RecoverNodeAsync(context.Client, context.Api, context.Time, entry, cancellationToken);
                await LedgerWrites.RemoveEntryAsync(context.Client, context.Api, context.Time, current, context.ExperimentId, cancellationToken);
                context.Recorder.Affected("Node", null, node.Metadata.Name, action);
            }
            catch (Exception ex) when (!ApiCalls.IsNotFound(ex))
            {
                lastError = ex;
                left.Add($"Node {node.Metadata.Name} ({ex.Message})");
            }
        });

        if (!left.IsEmpty)
        {
            throw new RecoveryException([.. left.Order(StringComparer.Ordinal)], lastError);
        }
    }

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

    internal static V1Pod PayloadPod(string ns, string name, string? nodeName, string image, string? hostPath, IList<string> command, double holdSeconds, string experimentId) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { ["chaos.testing/experiment"] = experimentId, [SafetyOptions.ExclusionLabel] = "true" },
        },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            RestartPolicy = "Never",
            TerminationGracePeriodSeconds = 30,
            Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
            Containers =
            [
                new V1Container
                {
                    Name = "payload",
                    Image = image,
                    ImagePullPolicy = "IfNotPresent",
                    TerminationMessagePolicy = "FallbackToLogsOnError",
                    Command = command,
                    Env = [new V1EnvVar { Name = PayloadProtocol.HoldSecondsVariable, Value = holdSeconds.ToString(CultureInfo.InvariantCulture) }],
                    VolumeMounts = hostPath is null ? null : [new V1VolumeMount { Name = "host", MountPath = HostMount }],
                },
            ],
            Volumes = hostPath is null ? null : [new V1Volume { Name = "host", HostPath = new V1HostPathVolumeSource { Path = hostPath, Type = "Directory" } }],
        },
    };

    private async Task WaitRunningAsync(FaultContext context, string podName, CancellationToken cancellationToken)
    {
        var deadline = context.Time.GetUtcNow() + StartTimeout;
        while (true)
        {
            var pod = await context.Api.CallAsync("get", "pods", PayloadNamespace, ct => context.Client.CoreV1.ReadNamespacedPodAsync(podName, PayloadNamespace, cancellationToken: ct), cancellationToken);
            var waiting = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting;
            if (pod.Status?.Phase is "Running" or "Succeeded"
                || (pod.Status?.Phase == "Failed" && pod.Status.ContainerStatuses?.FirstOrDefault()?.State?.Terminated is not null))
            {
                // A payload that ran and failed is reported next, in its own words (PayloadInstalled).
                return;
            }

            if (pod.Status?.Phase == "Failed" || waiting?.Reason is "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "CreateContainerError")
            {
                throw new InvalidOperationException($"payload pod {PayloadNamespace}/{podName} cannot run ({pod.Status?.Phase} {waiting?.Reason} {waiting?.Message}); check the Image option");
            }

            if (context.Time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"payload pod {PayloadNamespace}/{podName} did not start within {StartTimeout.TotalSeconds:0}s (phase {pod.Status?.Phase})");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), context.Time, cancellationToken);
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
    protected static FaultDescriptor NodePayloadDescriptor(string name, string? operatorAction, Func<FaultSampleTargets, ChaosExperiment> sample) => new()
    {
        Name = name,
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
            if (target is not V1Node node)
            {
                throw new InvalidDataException($"fault {entry.Fault} acts on nodes, but this entry is on a {target.Kind ?? target.GetType().Name}; the entry stays");
            }

            var done = await RecoverNodeAsync(context.Client, context.Api, context.Time, entry, cancellationToken);
            await LedgerWrites.RemoveEntryAsync(context.Client, context.Api, context.Time, node, entry.Experiment, cancellationToken);
            return done;
        }
    }
}
