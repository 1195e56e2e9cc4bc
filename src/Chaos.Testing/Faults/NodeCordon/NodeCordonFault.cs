using k8s.Models;

namespace Chaos.Testing;

/// <summary>Marks nodes unschedulable; recovery uncordons only the nodes this run cordoned.</summary>
internal sealed class NodeCordonFault : IFault<V1Node>, ICatalogFault
{
    /// <summary>The restore shared by cordon and drain (a drain cordons first).</summary>
    internal static readonly LedgerRestore<V1Node, Record> Restoration = new("Node", Restore);

    public static FaultDescriptor Descriptor { get; } = new()
    {
        Name = "node-cordon",
        Target = FaultTargetKind.Node,
        Mechanism = FaultMechanism.Write,
        Permissions = [.. FaultPermission.Core("nodes", "update")],
        Restore = Restoration,
        Sample = t => t.Nodes.Cordon(),
    };

    public string Verb => "cordon";

    public string Name => Descriptor.Name;

    public string? OperatorAction => Descriptor.OperatorAction;

    public void Validate(ICollection<string> errors)
    {
    }

    public Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Node> nodes, SafetyOptions safety, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task InjectAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken) =>
        CordonAsync(context, nodes, Descriptor.Name, cancellationToken);

    public Task RecoverAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken) =>
        Restoration.RecoverAsync(context, nodes, cancellationToken);

    /// <summary>Cordons each node and writes the ledger entry <paramref name="fault"/> in the same update.</summary>
    public static Task CordonAsync(FaultContext context, IReadOnlyList<V1Node> nodes, string fault, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (node, ct) =>
        {
            string? action = null;
            await LedgerWrites.UpdateAsync(context.Client, context.Api, node, current =>
            {
                if (Ledger.Has(current.Metadata, context.ExperimentId))
                {
                    return false;
                }

                current.Spec ??= new V1NodeSpec();
                var wasCordoned = current.Spec.Unschedulable == true;
                // Remember false vs absent, so the node is restored exactly.
                var recovery = new Record { Cordoned = !wasCordoned, Previous = wasCordoned ? null : current.Spec.Unschedulable };
                if (!wasCordoned)
                {
                    current.Spec.Unschedulable = true;
                }

                Ledger.Add(current.Metadata, context.LedgerEntry(fault, recovery));
                action = wasCordoned ? "already cordoned (left cordoned after recovery)" : "cordoned";
                return true;
            }, ct);

            if (action is not null)
            {
                context.Recorder.Affected("Node", null, node.Metadata.Name, action);
                await context.Events.PublishAsync("Node", node.Metadata, "ChaosInjected", action, ct);
            }
        });

    /// <summary>
    /// Uncordons a node only if this entry cordoned it and no other live cordon or drain still needs it cordoned; then the
    /// duty to uncordon (and the original value) passes to that other entry.
    /// </summary>
    private static string Restore(V1Node node, Record record, LedgerEntry entry)
    {
        if (!record.Cordoned)
        {
            return "left cordoned (it was cordoned before)";
        }

        var other = Ledger.EntriesOf(node.Metadata, entry.Key)
            .FirstOrDefault(e => e.Experiment != entry.Experiment && FaultCatalog.Find(e.Fault)?.Restore == Restoration);
        if (other is not null && LedgerRecord.Read<Record>(other) is { Cordoned: false })
        {
            var handed = other with { Recovery = LedgerRecord.ToJson(new Record { Cordoned = true, Previous = record.Previous }) };
            Ledger.Add(node.Metadata, handed);
            return $"left cordoned for experiment {other.Experiment}, which uncordons it when it ends";
        }

        if (node.Spec?.Unschedulable != true)
        {
            return "already uncordoned";
        }

        node.Spec.Unschedulable = record.Previous;
        return "uncordoned";
    }

    /// <summary>What recovery of a cordon needs.</summary>
    internal sealed record Record
    {
        /// <summary>Gets a value indicating whether this experiment cordoned the node (false: it was cordoned already).</summary>
        public required bool Cordoned { get; init; }

        /// <summary>Gets the node's <c>spec.unschedulable</c> before (false or absent), restored exactly.</summary>
        public bool? Previous { get; init; }
    }
}
