using k8s.Models;

namespace Chaos.Testing;

/// <summary>Adds one taint; recovery removes exactly that taint (key and effect), whatever else changed meanwhile.</summary>
internal sealed class NodeTaintFault(NodeTaintOptions options) : IFault<V1Node>, ICatalogFault
{
    private static readonly LedgerRestore<V1Node, Record> Restoration = new("Node", Restore);

    public static FaultDescriptor Descriptor { get; } = new()
    {
        Name = "node-taint",
        Target = FaultTargetKind.Node,
        Mechanism = FaultMechanism.Write,
        OperatorAction = "node-taint",
        Family = "node-taints",
        Permissions = [.. FaultPermission.Core("nodes", "update")],
        Restore = Restoration,
        Sample = t => t.Nodes.Taint(o => o.Effect = TaintEffect.NoSchedule),
    };

    public string Verb => "taint";

    public string Name => Descriptor.Name;

    public string? OperatorAction => Descriptor.OperatorAction;

    public void Validate(ICollection<string> errors) => options.Validate(errors);

    public async Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Node> nodes, SafetyOptions safety, CancellationToken cancellationToken)
    {
        var namespaceVerdicts = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (options.Effect == TaintEffect.NoExecute)
            {
                // NoExecute evicts every pod that does not tolerate it: the pod guards apply as they do to a drain.
                var protectedPods = new List<string>();
                foreach (var pod in await NodeDrainFault.ListPodsAsync(context, node.Metadata.Name, cancellationToken))
                {
                    if (pod.Metadata.DeletionTimestamp is null && !Tolerates(pod) && await NodeDrainFault.WhyProtectedAsync(context, pod, safety, namespaceVerdicts, cancellationToken) is { } why)
                    {
                        protectedPods.Add($"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} ({why})");
                    }
                }

                if (protectedPods.Count > 0)
                {
                    throw new ChaosRefusedException(
                        $"Refusing to taint node {node.Metadata.Name} with {Describe(options.Key, options.Value, "NoExecute")}: it would evict pods the safety guards protect: {string.Join(", ", protectedPods)}. "
                        + "Use Effect = NoSchedule, a node without such pods, or give those pods a toleration for the taint. Nothing was changed.");
                }
            }

            if (node.Spec?.Taints?.FirstOrDefault(t => t.Key == options.Key && t.Effect == options.Effect.ToString()) is { } existing)
            {
                throw new ChaosRefusedException(
                    $"Node {node.Metadata.Name} already has the taint {Describe(existing.Key, existing.Value, existing.Effect)}; recovery could not tell it from ours and would remove it. "
                    + "Use another Taint.Key, or another node. Nothing was changed.");
            }
        }
    }

    public Task InjectAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (node, ct) =>
        {
            var effect = options.Effect.ToString();
            var added = false;
            await LedgerWrites.UpdateAsync(context.Client, context.Api, node, current =>
            {
                if (Ledger.Has(current.Metadata, context.ExperimentId))
                {
                    return false;
                }

                current.Spec ??= new V1NodeSpec();
                current.Spec.Taints ??= [];
                current.Spec.Taints.Add(new V1Taint
                {
                    Key = options.Key,
                    Value = options.Value.Length == 0 ? null : options.Value,
                    Effect = effect,
                    TimeAdded = options.Effect == TaintEffect.NoExecute ? context.Time.GetUtcNow().UtcDateTime : null,
                });
                FaultClaims.Claim(current.Metadata, "Node", Descriptor, context.LedgerEntry(Descriptor.Name, new Record { Key = options.Key, Value = options.Value, Effect = effect }));
                added = true;
                return true;
            }, ct);

            if (added)
            {
                var action = $"tainted {Describe(options.Key, options.Value, effect)}";
                context.Recorder.Affected("Node", null, node.Metadata.Name, action);
                await context.Events.PublishAsync("Node", node.Metadata, "ChaosInjected", action, ct);
            }
        });

    public Task RecoverAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken) =>
        Restoration.RecoverAsync(context, nodes, cancellationToken);

    /// <summary>Removes the taint this entry added (matched by key and effect), nothing else.</summary>
    private static string Restore(V1Node node, Record record, LedgerEntry entry)
    {
        // Only the very taint the sealed record names (key, value and effect): a taint someone set since is theirs.
        var ours = node.Spec?.Taints?.FirstOrDefault(t => t.Key == record.Key && t.Effect == record.Effect && (t.Value ?? string.Empty) == (record.Value ?? string.Empty));
        if (ours is null)
        {
            return $"taint {record.Key}:{record.Effect} already removed";
        }

        node.Spec!.Taints.Remove(ours);
        if (node.Spec.Taints.Count == 0)
        {
            node.Spec.Taints = null;
        }

        return $"taint {Describe(ours.Key, ours.Value, ours.Effect)} removed";
    }

    private bool Tolerates(V1Pod pod) => pod.Spec?.Tolerations?.Any(t =>
        (string.IsNullOrEmpty(t.Effect) || t.Effect == "NoExecute")
        && (t.OperatorProperty == "Exists"
            ? string.IsNullOrEmpty(t.Key) || t.Key == options.Key
            : t.Key == options.Key && (t.Value ?? string.Empty) == options.Value)) == true;

    private static string Describe(string key, string? value, string effect) => string.IsNullOrEmpty(value) ? $"{key}:{effect}" : $"{key}={value}:{effect}";

    /// <summary>What recovery of a taint needs: the taint that was added.</summary>
    internal sealed record Record
    {
        /// <summary>Gets the taint's key.</summary>
        public required string Key { get; init; }

        /// <summary>Gets the taint's value (empty for none).</summary>
        public required string Value { get; init; }

        /// <summary>Gets the taint's effect.</summary>
        public required string Effect { get; init; }
    }
}
