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
internal abstract partial class NodePayloadFault : IFault<V1Node>
{
    /// <summary>Gets how long each payload pod may take to start and install (the fault's option).</summary>
    protected abstract TimeSpan StartTimeout { get; }

    /// <summary>Gets how long an early-recovery cleanup pod may take (the fault's option).</summary>
    protected abstract TimeSpan CleanupTimeout { get; }

    /// <summary>How long a payload pod may be active beyond its hold (image pull, install, cleanup) before the kubelet stops it.</summary>
    internal static readonly TimeSpan DeadlineMargin = TimeSpan.FromMinutes(3);

    /// <summary>The index of each node in this run, kept in memory: the live recovery never reads it back from the cluster.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _indexes = new(StringComparer.Ordinal);

    /// <summary>Gets what the fault is.</summary>
    public abstract FaultDescriptor Definition { get; }

    /// <summary>Gets the fault's ledger name and pod-name prefix, e.g. <c>node-cpu-stress</c>.</summary>
    public string Name => Definition.Name;

    /// <summary>Gets what the fault's pod is, from its descriptor (the janitor uses the same).</summary>
    internal PayloadProfile Profile => ((NodePayloadRestore)Definition.Restore!).Profile;

    /// <summary>The profile of a node payload fault's descriptor, or null for a fault that is not one.</summary>
    internal static PayloadProfile? ProfileOf(FaultDescriptor descriptor) => (descriptor.Restore as NodePayloadRestore)?.Profile;

    public abstract string Verb { get; }

    /// <inheritdoc />
    public string? OperatorAction => Definition.OperatorAction;

    /// <summary>Gets the namespace the payload pods are created in.</summary>
    protected abstract string PayloadNamespace { get; }

    protected abstract string Image { get; }

    /// <summary>Gets the node directory to mount (hostPath) at <see cref="HostMount"/>, or null for none.</summary>
    protected virtual string? HostPath => null;

    protected const string HostMount = PayloadProfile.HostMount;

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
            var podName = NodePayloadRecord.PodName(Name, context.ExperimentId, item.Index);
            var script = ScriptFor(context, node, tag);
            var recovery = RecordFor(node.Metadata.Name, item.Index);
            _indexes[node.Metadata.Name] = item.Index;
            var marked = await LedgerWrites.UpdateAsync(context.Client, context.Api, node, current =>
            {
                if (Ledger.Has(current.Metadata, context.ExperimentId))
                {
                    return false;
                }

                FaultClaims.Claim(current.Metadata, "Node", Definition, context.LedgerEntry(Name, recovery));
                return true;
            }, ct);
            if (marked is null)
            {
                context.Recorder.Affected("Node", null, node.Metadata.Name, "already gone");
                return;
            }

            var hold = Math.Max(1, Math.Ceiling(PayloadHold(context).TotalSeconds));
            var pod = PayloadPod(PayloadNamespace, podName, node.Metadata.Name, Image, HostPath, script.Command(script.Render(PayloadHold(context))), hold, context.ExperimentId, Profile);
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
                // Every step is idempotent, so a transient error or a conflict anywhere is retried from the top until the deadline.
                string? action = null;
                await LedgerWrites.UntilDoneAsync(context.Time, async () =>
                {
                    var current = await context.Api.CallAsync("get", "nodes", null, ct => context.Client.CoreV1.ReadNodeAsync(node.Metadata.Name, cancellationToken: ct), cancellationToken);
                    if (Ledger.EntryOf(current.Metadata, context.ExperimentId, context.Key) is { } entry)
                    {
                        // From memory, never from the entry: this run's namespace, image and index.
                        var plan = new NodeCleanupPlan(Name, PayloadNamespace, Image, Profile, RecordFor(node.Metadata.Name, _indexes.GetValueOrDefault(node.Metadata.Name))) { CleanupTimeout = CleanupTimeout };
                        action = await RecoverNodeAsync(context.Client, context.Api, context.Time, entry.Experiment, plan, cancellationToken);
                        await LedgerWrites.RemoveEntryAsync(context.Client, context.Api, context.Time, current, context.ExperimentId, cancellationToken);
                    }
                }, cancellationToken, retryConflicts: true);
                if (action is not null)
                {
                    context.Recorder.Affected("Node", null, node.Metadata.Name, action);
                }
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

    private NodePayloadRecord RecordFor(string node, int index) => new() { Node = node, Index = index, Path = Profile.FillsDisk ? HostPath : null };

    /// <summary>
    /// A payload or cleanup pod, least privilege: no service account token, an active deadline of the hold plus
    /// <see cref="DeadlineMargin"/>, its container with ALL capabilities dropped and the profile's added, no privilege
    /// escalation, RuntimeDefault seccomp.
    /// </summary>
    internal static V1Pod PayloadPod(
        string ns, string name, string? nodeName, string image, string? hostPath, IList<string> command, double holdSeconds, string experimentId, PayloadProfile profile) => new()
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
            AutomountServiceAccountToken = false,
            ActiveDeadlineSeconds = (long)Math.Ceiling(holdSeconds + DeadlineMargin.TotalSeconds),
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
                    SecurityContext = PodPayloadFault.HardenedSecurityContext(profile.Capabilities),
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
                throw new TimeoutException(
                    $"payload pod {PayloadNamespace}/{podName} did not start within {StartTimeout.TotalSeconds:0}s (phase {pod.Status?.Phase}{(waiting is null ? string.Empty : $", {waiting.Reason}")}): "
                    + $"the image {Image} may still be pulling on the node; raise the fault's StartTimeout option, or pre-pull or preload the image");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), context.Time, cancellationToken);
        }
    }
}
