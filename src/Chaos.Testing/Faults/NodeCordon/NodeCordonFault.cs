using System.Text.Json.Nodes;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Marks nodes unschedulable; recovery uncordons only the nodes this run cordoned.</summary>
internal sealed class NodeCordonFault : IFault<V1Node>
{
    public const string Name = "node-cordon";

    public string Verb => "cordon";

    public void Validate(ICollection<string> errors)
    {
    }

    public Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Node> nodes, SafetyOptions safety, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task InjectAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken) =>
        CordonAsync(context, nodes, Name, cancellationToken);

    public Task RecoverAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken) =>
        LedgerWrites.RecoverAsync(context, "Node", nodes, Restore, cancellationToken);

    /// <summary>Cordons each node and writes the ledger entry <paramref name="fault"/> in the same update.</summary>
    public static Task CordonAsync(FaultContext context, IReadOnlyList<V1Node> nodes, string fault, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (node, ct) =>
        {
            string? action = null;
            await LedgerWrites.UpdateAsync(context.Client, context.Api, node, current =>
            {
                if (Ledger.EntryOf(current.Metadata, context.ExperimentId) is not null)
                {
                    return false;
                }

                current.Spec ??= new V1NodeSpec();
                var wasCordoned = current.Spec.Unschedulable == true;
                var recovery = new JsonObject { ["cordoned"] = !wasCordoned };
                if (!wasCordoned)
                {
                    // Remember false vs absent, so the node is restored exactly.
                    recovery["previous"] = current.Spec.Unschedulable is null ? null : JsonValue.Create(current.Spec.Unschedulable.Value);
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
    /// Uncordons if this run cordoned. When another run's cordon or drain still holds the node, the duty to uncordon is
    /// handed to that run's ledger entry instead, so the node is uncordoned by whichever run ends last.
    /// </summary>
    public static string Restore(V1Node node, LedgerEntry entry)
    {
        if (entry.Recovery["cordoned"]?.GetValue<bool>() != true)
        {
            return "left cordoned (it was cordoned before)";
        }

        var other = Ledger.EntriesOf(node.Metadata).FirstOrDefault(e => e.Experiment != entry.Experiment && e.Fault is Name or NodeDrainFault.Name);
        if (other is not null && other.Recovery["cordoned"]?.GetValue<bool>() != true)
        {
            var recovery = (JsonObject)other.Recovery.DeepClone();
            recovery["cordoned"] = true;
            recovery["previous"] = entry.Recovery["previous"]?.DeepClone();
            node.Metadata.Annotations[Ledger.KeyOf(other.Experiment)] = (other with { Recovery = recovery }).ToJson();
            return $"left cordoned for experiment {other.Experiment}, which uncordons it when it ends";
        }

        if (node.Spec?.Unschedulable != true)
        {
            return "already uncordoned";
        }

        node.Spec.Unschedulable = entry.Recovery["previous"]?.GetValue<bool>();
        return "uncordoned";
    }
}
