using System.Globalization;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// A fault carried out by a payload in an ephemeral container of each target pod: it shares the pod's network namespace,
/// and the target container's PID namespace only where its <see cref="PayloadProfile"/> says so (a payload there is
/// SIGKILLed, trap and all, when the target's first process exits); one outside it holds only while its marker rule
/// exists (<see cref="PayloadScript.StopWhenUnmarked"/>), which the cleanup deletes. Inject: ledger entry on the
/// pod (typed data only), then the ephemeral container, then wait until it runs and has installed the fault. The payload
/// removes the fault itself when its hold ends or it gets TERM. Early recovery (cancellation, failure) injects a cleanup
/// container built from code (<see cref="PayloadCleanup"/>), with the image the run injected with, that stops the payload,
/// removes what is tagged with the experiment and checks nothing is left. Ephemeral containers never set resources,
/// ports or probes.
/// </summary>
internal abstract class PodPayloadFault : IFault<V1Pod>
{
    /// <summary>Gets what the fault is.</summary>
    public abstract FaultDescriptor Definition { get; }

    /// <summary>Gets the fault's ledger name and container-name prefix, e.g. <c>network-delay</c>.</summary>
    public string Name => Definition.Name;

    /// <summary>Gets what the fault's container is, from its descriptor (the janitor uses the same).</summary>
    internal PayloadProfile Profile => ((PodPayloadRestore)Definition.Restore!).Profile;

    /// <summary>The profile of a pod payload fault's descriptor, or null for a fault that is not one.</summary>
    internal static PayloadProfile? ProfileOf(FaultDescriptor descriptor) => (descriptor.Restore as PodPayloadRestore)?.Profile;

    public abstract string Verb { get; }

    /// <inheritdoc />
    public string? OperatorAction => Definition.OperatorAction;

    public abstract void Validate(ICollection<string> errors);

    /// <summary>The container the payload needs on <paramref name="pod"/> (its capabilities come from <see cref="Profile"/>).</summary>
    protected abstract PayloadContainer ContainerFor(V1Pod pod);

    /// <summary>The directory a disk fill fills, as its record keeps it: the path in the target, or the volume; null for other faults.</summary>
    protected virtual (string? Path, string? Volume) FillTarget => (null, null);

    /// <summary>The payload for <paramref name="pod"/>, tagged <paramref name="tag"/>; <paramref name="prepared"/> is what <see cref="PrepareAsync"/> returned.</summary>
    protected abstract PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared);

    /// <summary>Work before any payload is built or anything written (e.g. resolving peer pods to IPs). Runs at injection.</summary>
    protected virtual Task<object?> PrepareAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken) => Task.FromResult<object?>(null);

    /// <summary>How long the payload holds; the experiment's duration unless the payload is one-shot.</summary>
    protected virtual TimeSpan PayloadHold(FaultContext context) => context.Hold;

    /// <summary>Gets a value indicating whether the payload acts once and ends (container kill): it may end before it is seen running, and with the exit code of a killed namespace.</summary>
    protected virtual bool OneShot => false;

    /// <summary>What the result records for a pod once its payload runs.</summary>
    protected abstract string Describe(V1Pod pod);

    public async Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Pod> pods, SafetyOptions safety, CancellationToken cancellationToken)
    {
        await PayloadPreflight.CheckEphemeralContainersAsync(context, cancellationToken);
        var namespaces = new Dictionary<string, V1Namespace>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var container = ContainerFor(pod) with { Capabilities = Profile.Capabilities };
            if (container.TargetContainer is { } target && pod.Spec.Containers.All(c => c.Name != target))
            {
                throw new ChaosRefusedException(
                    $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} has no container \"{target}\" (it has {string.Join(", ", pod.Spec.Containers.Select(c => c.Name))}). "
                    + $"Fix the Container option of {Verb}, or leave it empty for the first container. Nothing was changed.");
            }

            var missingVolumes = container.VolumeMounts.Keys.Where(v => pod.Spec.Volumes?.Any(x => x.Name == v) != true).ToList();
            if (missingVolumes.Count > 0)
            {
                throw new ChaosRefusedException(
                    $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} has no volume {string.Join(", ", missingVolumes.Select(v => $"\"{v}\""))} "
                    + $"(it has {(pod.Spec.Volumes is { Count: > 0 } volumes ? string.Join(", ", volumes.Select(v => v.Name)) : "none")}). Fix the Volume option of {Verb}. Nothing was changed.");
            }

            if (container.Capabilities.Contains("NET_ADMIN") && pod.Spec.HostNetwork == true)
            {
                throw new ChaosRefusedException(
                    $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} uses the node's network (hostNetwork: true): a network fault in it would hit the whole node. Pick pods with their own network. Nothing was changed.");
            }

            var ns = pod.Metadata.NamespaceProperty;
            if (!namespaces.TryGetValue(ns, out var found))
            {
                namespaces[ns] = found = await context.Api.CallAsync("get", "namespaces", null, ct => context.Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct), cancellationToken);
            }

            PayloadPreflight.CheckPodSecurity(found, container, Verb);
        }
    }

    public async Task InjectAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var prepared = await PrepareAsync(context, pods, cancellationToken);
        foreach (var pod in pods)
        {
            var script = PayloadFor(context, pod, prepared);
            var record = RecordFor(pod);
            var entry = context.LedgerEntry(Name, record);
            PayloadLimits.Check(pod.Metadata, Verb, script.Render(PayloadHold(context)), PayloadCleanup.Render(context.ExperimentId, CleanupTargets(record, Profile, context.ExperimentId)), entry);
        }

        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (pod, ct) =>
        {
            var name = ContainerName(Name, context.ExperimentId);
            var container = ContainerFor(pod) with { Capabilities = Profile.Capabilities };
            var script = PayloadFor(context, pod, prepared);

            // 1. The ledger first: the typed data recovery needs is on the pod before the fault.
            var recovery = RecordFor(pod);
            var marked = await LedgerWrites.UpdateAsync(context.Client, context.Api, pod, current =>
            {
                if (Ledger.Has(current.Metadata, context.ExperimentId))
                {
                    return false;
                }

                FaultClaims.Claim(current.Metadata, "Pod", Definition, context.LedgerEntry(Name, recovery));
                return true;
            }, ct);
            if (marked is null)
            {
                context.Recorder.Affected("Pod", pod.Metadata.NamespaceProperty, pod.Metadata.Name, "already gone");
                return;
            }

            // 2. The payload.
            var hold = PayloadHold(context);
            var payload = NewContainer(name, container, Profile, marked, script.Command(script.Render(hold)),
                [new V1EnvVar { Name = PayloadProtocol.HoldSecondsVariable, Value = Math.Max(1, Math.Ceiling(hold.TotalSeconds)).ToString(CultureInfo.InvariantCulture) }]);
            await AddEphemeralContainerAsync(context, pod, payload, ct);
            await PayloadRecovery.WaitForContainerAsync(context.Client, context.Api, context.Time, pod.Metadata.NamespaceProperty, pod.Metadata.Name, name, running: true, container.StartTimeout, ct, returnFailure: true);

            // Running is not installed yet: wait for the payload's own word, or explain its exit in its own words.
            await PayloadInstalled.WaitAsync(context, pod.Metadata.NamespaceProperty, pod.Metadata.Name, name, ephemeral: true, OneShot, container.StartTimeout, ct);

            context.Recorder.Affected("Pod", pod.Metadata.NamespaceProperty, pod.Metadata.Name, Describe(pod));
            await context.Events.PublishAsync(pod, "ChaosInjected", $"{Verb}: ephemeral container {name} ({container.Image})", ct);
        });
    }

    public async Task RecoverAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var left = new System.Collections.Concurrent.ConcurrentBag<string>();
        Exception? lastError = null;
        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (pod, _) =>
        {
            try
            {
                var action = await RecoverPodAsync(context, pod, cancellationToken);
                if (action is not null)
                {
                    context.Recorder.Affected("Pod", pod.Metadata.NamespaceProperty, pod.Metadata.Name, action);
                }
            }
            catch (Exception ex)
            {
                lastError = ex;
                left.Add($"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} ({ex.Message})");
            }
        });

        if (!left.IsEmpty)
        {
            throw new RecoveryException([.. left.Order(StringComparer.Ordinal)], lastError);
        }
    }

    /// <summary>Removes the fault from one pod now, from memory (the image this run injected with, the record it wrote), never from the entry on the cluster.</summary>
    private Task<string?> RecoverPodAsync(FaultContext context, V1Pod pod, CancellationToken cancellationToken)
    {
        var container = ContainerFor(pod);
        var plan = new PodCleanupPlan(Name, container.Image, Profile, RecordFor(pod)) { CleanupTimeout = container.CleanupTimeout };
        return PayloadRecovery.RecoverPodAsync(
            context.Client, context.Api, context.Time, pod.Metadata.NamespaceProperty, pod.Metadata.Name, context.ExperimentId, context.Key!, _ => plan, cancellationToken);
    }

    /// <summary>A target container that restarts or ends during the hold has its pod's fault removed at once (one-shot payloads have nothing left to remove).</summary>
    public Task MonitorAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken holdEnded) =>
        Profile.OneShot
            ? Task.CompletedTask
            : TargetRestartMonitor.RunAsync(context, pods, pod => ContainerFor(pod).TargetContainer ?? pod.Spec.Containers[0].Name, (pod, ct) => RecoverPodAsync(context, pod, ct), holdEnded);

    private PodPayloadRecord RecordFor(V1Pod pod) => new()
    {
        Target = ContainerFor(pod).TargetContainer ?? pod.Spec.Containers[0].Name,
        Interface = Profile.Network ? PayloadProfile.Interface : null,
        Path = FillTarget.Path,
        Volume = FillTarget.Volume,
    };

    /// <summary>What the cleanup of <paramref name="record"/> looks at; it sees the payload's processes only where they share the target's.</summary>
    internal static PayloadCleanupTargets CleanupTargets(PodPayloadRecord record, PayloadProfile profile, string experimentId) =>
        new(profile.Network ? record.Interface : null, record.FillDirectory is { } dir ? $"{dir}/{DiskFillPayloads.FileName(experimentId)}" : null, profile.SharesTargetProcesses);

    /// <summary>
    /// The payload for <paramref name="pod"/>: one outside the target's PID namespace, which no cleanup container can
    /// see, holds only while its marker rule exists (the tag cleanup deletes it, and the payload then ends by itself).
    /// </summary>
    private PayloadScript PayloadFor(FaultContext context, V1Pod pod, object? prepared)
    {
        var script = ScriptFor(context, pod, context.ExperimentId, prepared);
        return Profile.SharesTargetProcesses || Profile.OneShot ? script : script.StopWhenUnmarked();
    }

    /// <summary>The ephemeral container name of a run's payload on a pod.</summary>
    internal static string ContainerName(string fault, string experimentId) => $"chaos-{fault}-{experimentId}";

    /// <summary>
    /// A payload or cleanup container, least privilege: ALL capabilities dropped and the profile's added, no privilege
    /// escalation, the runtime's default seccomp profile; the target's processes joined only where the profile says so.
    /// </summary>
    internal static V1EphemeralContainer NewContainer(string name, PayloadContainer container, PayloadProfile profile, V1Pod pod, IList<string> command, IList<V1EnvVar> env) => new()
    {
        Name = name,
        Image = container.Image,
        Command = command,
        Env = env,
        TargetContainerName = profile.SharesTargetProcesses ? container.TargetContainer ?? pod.Spec.Containers[0].Name : null,
        ImagePullPolicy = "IfNotPresent",
        TerminationMessagePolicy = "FallbackToLogsOnError",
        SecurityContext = HardenedSecurityContext(profile.Capabilities),
        VolumeMounts = container.VolumeMounts.Count == 0 ? null : container.VolumeMounts.Select(m => new V1VolumeMount { Name = m.Key, MountPath = m.Value }).ToList(),
    };

    /// <summary>The security context of every payload container: drop ALL, add <paramref name="capabilities"/>, no escalation, RuntimeDefault seccomp.</summary>
    internal static V1SecurityContext HardenedSecurityContext(IReadOnlyList<string> capabilities) => new()
    {
        Capabilities = new V1Capabilities { Drop = ["ALL"], Add = capabilities.Count == 0 ? null : capabilities.ToList() },
        Privileged = false,
        AllowPrivilegeEscalation = false,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    /// <summary>Adds an ephemeral container through the pods/ephemeralcontainers subresource (409 → re-read, add again).</summary>
    internal static async Task AddEphemeralContainerAsync(FaultContext context, V1Pod pod, V1EphemeralContainer container, CancellationToken cancellationToken) =>
        await PayloadRecovery.AddEphemeralContainerAsync(context.Client, context.Api, pod.Metadata.NamespaceProperty, pod.Metadata.Name, container, cancellationToken);

    /// <summary>The descriptor of a pod payload fault: the permissions and restore every pod payload shares.</summary>
    /// <param name="name">The fault's name.</param>
    /// <param name="operatorAction">The operator's action, or null.</param>
    /// <param name="sample">A typical use.</param>
    /// <param name="profile">What its container is: default image, capabilities, process sharing.</param>
    /// <param name="family">What it changes in the pod, shared with faults that would undo it; the fault's name when only it does.</param>
    protected static FaultDescriptor PodPayloadDescriptor(
        string name, string? operatorAction, Func<FaultSampleTargets, ChaosExperiment> sample, PayloadProfile profile, string? family = null) => new()
    {
        Name = name,
        Family = family ?? name,
        Target = FaultTargetKind.Pod,
        Mechanism = FaultMechanism.PodPayload,
        OperatorAction = operatorAction,
        Permissions = [.. FaultPermission.Core("pods", "update"), .. FaultPermission.Core("pods/ephemeralcontainers", "update"), .. FaultPermission.Core("pods/log", "get")],
        Restore = new PodPayloadRestore(profile.SharesTargetProcesses || profile.OneShot || profile.Capabilities.Contains("NET_ADMIN")
            ? profile
            : throw new ArgumentException($"Pod payload {name} neither shares the target's processes nor has NET_ADMIN for its stop marker: no cleanup could stop it.", nameof(profile))),
        Sample = sample,
    };

    /// <summary>The crash restore of a pod payload: validate the typed record, a code-built cleanup if the payload still holds, then the entry goes.</summary>
    private sealed class PodPayloadRestore(PayloadProfile profile) : ICrashRestore
    {
        public PayloadProfile Profile => profile;

        public async Task<string> RestoreAsync(RestoreContext context, IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry, CancellationToken cancellationToken)
        {
            var pod = RestoreContext.TargetOf<V1Pod>(target, entry);
            _ = PodPayloadRecord.ReadValid(entry, profile);
            var image = (context.Payloads ?? PayloadConfiguration.Default).ImageFor(entry.Fault, profile.DefaultImage);

            // The entry as it is on the pod now is checked again: the listed one may have been replaced since.
            PodCleanupPlan Plan(LedgerEntry current) => current.Fault == entry.Fault
                ? new PodCleanupPlan(entry.Fault, image, profile, PodPayloadRecord.ReadValid(current, profile))
                : throw new InvalidDataException($"the ledger entry of experiment {entry.Experiment} changed fault from {entry.Fault} to {current.Fault} during the sweep; nothing was changed, the entry stays");
            return await PayloadRecovery.RecoverPodAsync(
                context.Client, context.Api, context.Time, pod.Metadata.NamespaceProperty, pod.Metadata.Name, entry.Experiment, context.Key, Plan, cancellationToken)
                ?? "already recovered";
        }
    }
}
