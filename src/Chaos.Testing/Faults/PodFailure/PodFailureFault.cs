using k8s.Models;

namespace Chaos.Testing;

/// <summary>Swaps container images for a pause image, originals in the ledger; recovery restores them exactly.</summary>
internal sealed class PodFailureFault(PodFailureOptions options) : IFault<V1Pod>, ICatalogFault
{
    public const string Name = "pod-failure";

    private static readonly LedgerRestore<V1Pod, Record> Restoration = new("Pod", Restore);

    public static FaultDescriptor Descriptor { get; } = new()
    {
        Name = Name,
        Target = FaultTargetKind.Pod,
        Mechanism = FaultMechanism.Write,
        OperatorAction = "pod-failure",
        Family = "pod-images",
        Permissions = [.. FaultPermission.Core("pods", "update")],
        Restore = Restoration,
        Sample = t => t.Pods.Fail(),
    };

    public string Verb => "fail";

    string IFault<V1Pod>.Name => Descriptor.Name;

    public string? OperatorAction => Descriptor.OperatorAction;

    public void Validate(ICollection<string> errors) => options.Validate(errors);

    public Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Pod> pods, SafetyOptions safety, CancellationToken cancellationToken)
    {
        foreach (var pod in pods)
        {
            var names = pod.Spec.Containers.Select(c => c.Name).ToList();
            var missing = options.Containers.Where(c => !names.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                throw new ChaosRefusedException(
                    $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} has no container {string.Join(", ", missing.Select(m => $"\"{m}\""))} (it has {string.Join(", ", names)}). "
                    + "Fix PodFailure.Containers, or leave it empty to fail every container. Nothing was changed.");
            }

            if (Ledger.ClaimsOn(pod.Metadata).FirstOrDefault(e => e.Fault == Name) is { } other)
            {
                throw new ChaosRefusedException(
                    $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} is already failed by experiment {other.Experiment}; two pod failures on one pod could not both restore it. "
                    + "Wait for that experiment to end (or run ChaosJanitor.SweepAsync if it crashed). Nothing was changed.");
            }
        }

        return Task.CompletedTask;
    }

    public Task InjectAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (pod, ct) =>
        {
            string? action = null;
            var written = await LedgerWrites.UpdateAsync(context.Client, context.Api, pod, current =>
            {
                if (Ledger.Has(current.Metadata, context.ExperimentId))
                {
                    return false;
                }

                var images = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var container in current.Spec.Containers.Where(c => options.Containers.Count == 0 || options.Containers.Contains(c.Name)))
                {
                    if (container.Image != options.Image)
                    {
                        images[container.Name] = container.Image;
                        container.Image = options.Image;
                    }
                }

                FaultClaims.Claim(current.Metadata, "Pod", Descriptor, context.LedgerEntry(Name, new Record { Pause = options.Image, Images = images }));
                action = images.Count == 0
                    ? $"no container to fail: every targeted container already runs {options.Image}"
                    : $"containers {string.Join(", ", images.Select(i => i.Key))} now run {options.Image}";
                return true;
            }, ct);

            if (written is null)
            {
                context.Recorder.Affected("Pod", pod.Metadata.NamespaceProperty, pod.Metadata.Name, "already gone");
                return;
            }

            if (action is not null)
            {
                context.Recorder.Affected("Pod", pod.Metadata.NamespaceProperty, pod.Metadata.Name, action);
                await context.Events.PublishAsync(pod, "ChaosInjected", $"pod failure: {action}", ct);
            }
        });

    public Task RecoverAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken) =>
        Restoration.RecoverAsync(context, pods, cancellationToken);

    /// <summary>Puts the original images back on the containers that still run the pause image; returns what it did.</summary>
    private static string Restore(V1Pod pod, Record record, LedgerEntry entry)
    {
        var restored = new List<string>();
        foreach (var (name, image) in record.Images)
        {
            var container = pod.Spec.Containers.FirstOrDefault(c => c.Name == name);
            if (container is not null && container.Image == record.Pause && image is not null)
            {
                container.Image = image;
                restored.Add($"{name}={container.Image}");
            }
        }

        return restored.Count == 0 ? "nothing to restore (images were changed meanwhile)" : $"images restored: {string.Join(", ", restored)}";
    }

    /// <summary>What recovery needs: the pause image it set and each changed container's original image.</summary>
    internal sealed record Record
    {
        /// <summary>Gets the image the containers were switched to.</summary>
        public required string Pause { get; init; }

        /// <summary>Gets the original image of each changed container, by container name.</summary>
        public required Dictionary<string, string> Images { get; init; }
    }
}
