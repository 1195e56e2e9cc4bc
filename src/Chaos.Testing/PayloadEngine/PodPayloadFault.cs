using System.Globalization;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// A fault carried out by a payload in an ephemeral container of each target pod: it shares the pod's network namespace
/// and the target container's PID namespace. Inject: ledger entry on the pod (with the cleanup script), then the
/// ephemeral container, then wait until it runs and has installed the fault. The payload removes the fault itself when
/// its hold ends or it gets TERM. Early recovery (cancellation, failure) injects a short cleanup container that stops the
/// payload and removes the fault, and waits for it to finish. Ephemeral containers never set resources, ports or probes.
/// </summary>
internal abstract class PodPayloadFault : IFault<V1Pod>
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The crash restore of every pod payload: a cleanup container if the payload still holds, then the entry goes.</summary>
    internal static readonly ICrashRestore Restoration = new PodPayloadRestore();

    /// <summary>Gets what the fault is.</summary>
    public abstract FaultDescriptor Definition { get; }

    /// <summary>Gets the fault's ledger name and container-name prefix, e.g. <c>network-delay</c>.</summary>
    public string Name => Definition.Name;

    public abstract string Verb { get; }

    public abstract void Validate(ICollection<string> errors);

    /// <summary>The container the payload needs on <paramref name="pod"/>.</summary>
    protected abstract PayloadContainer ContainerFor(V1Pod pod);

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
            var container = ContainerFor(pod);
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
            var script = ScriptFor(context, pod, context.ExperimentId, prepared);
            var entry = context.LedgerEntry(Name, RecordFor(context, pod, script));
            PayloadLimits.Check(pod.Metadata, Verb, script.Render(PayloadHold(context)), entry.Recovery["cleanup"]!.GetValue<string>(), entry);
        }

        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (pod, ct) =>
        {
            var name = ContainerName(context.ExperimentId);
            var container = ContainerFor(pod);
            var script = ScriptFor(context, pod, context.ExperimentId, prepared);

            // 1. The ledger first: what recovery needs (the cleanup container, ready to inject) is on the pod before the fault.
            var recovery = RecordFor(context, pod, script);
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
            var payload = NewContainer(name, container, marked, script.Command(script.Render(hold)),
                [new V1EnvVar { Name = PayloadProtocol.HoldSecondsVariable, Value = Math.Max(1, Math.Ceiling(hold.TotalSeconds)).ToString(CultureInfo.InvariantCulture) }]);
            await AddEphemeralContainerAsync(context, pod, payload, ct);
            await PayloadRecovery.WaitForContainerAsync(context.Client, context.Api, context.Time, pod.Metadata.NamespaceProperty, pod.Metadata.Name, name, running: true, StartTimeout, ct, returnFailure: true);

            // Running is not installed yet: wait for the payload's own word, or explain its exit in its own words.
            await PayloadInstalled.WaitAsync(context, pod.Metadata.NamespaceProperty, pod.Metadata.Name, name, ephemeral: true, OneShot, StartTimeout, ct);

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
                var action = await PayloadRecovery.RecoverPodAsync(context.Client, context.Api, context.Time, pod.Metadata.NamespaceProperty, pod.Metadata.Name, context.ExperimentId, context.Key!, cancellationToken);
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

    private PodPayloadRecord RecordFor(FaultContext context, V1Pod pod, PayloadScript script)
    {
        var container = ContainerFor(pod);
        return new PodPayloadRecord
        {
            Container = ContainerName(context.ExperimentId),
            Image = container.Image,
            Target = container.TargetContainer ?? pod.Spec.Containers[0].Name,
            Capabilities = container.Capabilities,
            Cleanup = script.RenderCleanup(),
            Process = script.ProcessName,
            OneShot = OneShot,
            Mounts = container.VolumeMounts,
        };
    }

    /// <summary>The ephemeral container name of this run's payload on a pod.</summary>
    internal string ContainerName(string experimentId) => $"chaos-{Name}-{experimentId}";

    internal static V1EphemeralContainer NewContainer(string name, PayloadContainer container, V1Pod pod, IList<string> command, IList<V1EnvVar> env) => new()
    {
        Name = name,
        Image = container.Image,
        Command = command,
        Env = env,
        TargetContainerName = container.TargetContainer ?? pod.Spec.Containers[0].Name,
        ImagePullPolicy = "IfNotPresent",
        TerminationMessagePolicy = "FallbackToLogsOnError",
        SecurityContext = container.Capabilities.Count == 0 ? null : new V1SecurityContext
        {
            Capabilities = new V1Capabilities { Add = container.Capabilities.ToList() },
            Privileged = false,
            AllowPrivilegeEscalation = false,
        },
        VolumeMounts = container.VolumeMounts.Count == 0 ? null : container.VolumeMounts.Select(m => new V1VolumeMount { Name = m.Key, MountPath = m.Value }).ToList(),
    };

    /// <summary>Adds an ephemeral container through the pods/ephemeralcontainers subresource (409 → re-read, add again).</summary>
    internal static async Task AddEphemeralContainerAsync(FaultContext context, V1Pod pod, V1EphemeralContainer container, CancellationToken cancellationToken) =>
        await PayloadRecovery.AddEphemeralContainerAsync(context.Client, context.Api, pod.Metadata.NamespaceProperty, pod.Metadata.Name, container, cancellationToken);

    /// <summary>The descriptor of a pod payload fault: the permissions and restore every pod payload shares.</summary>
    /// <param name="name">The fault's name.</param>
    /// <param name="operatorAction">The operator's action, or null.</param>
    /// <param name="sample">A typical use.</param>
    /// <param name="family">What it changes in the pod, shared with faults that would undo it; the fault's name when only it does.</param>
    protected static FaultDescriptor PodPayloadDescriptor(string name, string? operatorAction, Func<FaultSampleTargets, ChaosExperiment> sample, string? family = null) => new()
    {
        Name = name,
        Family = family ?? name,
        Target = FaultTargetKind.Pod,
        Mechanism = FaultMechanism.PodPayload,
        OperatorAction = operatorAction,
        Permissions = [.. FaultPermission.Core("pods", "update"), .. FaultPermission.Core("pods/ephemeralcontainers", "update"), .. FaultPermission.Core("pods/log", "get")],
        Restore = Restoration,
        Sample = sample,
    };

    private sealed class PodPayloadRestore : ICrashRestore
    {
        public async Task<string> RestoreAsync(RestoreContext context, IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry, CancellationToken cancellationToken)
        {
            var pod = RestoreContext.TargetOf<V1Pod>(target, entry);
            if (LedgerRecord.Read<PodPayloadRecord>(entry).Container != $"chaos-{entry.Fault}-{entry.Experiment}")
            {
                throw new InvalidDataException(
                    $"the entry names a payload container other than this experiment's (chaos-{entry.Fault}-{entry.Experiment}); nothing was changed, the entry stays");
            }

            return await PayloadRecovery.RecoverPodAsync(context.Client, context.Api, context.Time, pod.Metadata.NamespaceProperty, pod.Metadata.Name, entry.Experiment, context.Key, cancellationToken)
                ?? "already recovered";
        }
    }
}
