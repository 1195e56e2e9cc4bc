using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Plan and guard for node faults: resolve, drop excluded and not-Ready nodes, pick (seeded), guard the share.</summary>
internal static class NodePlanner
{
    public static async Task<IReadOnlyList<V1Node>> PlanAsync(NodeTarget target, Selection selection, FaultContext context, SafetyOptions safety, string verb, int seed, CancellationToken cancellationToken)
    {
        // Every node is listed: the share guards compare with the whole cluster, since that is what a node fault takes capacity from.
        var list = await context.Api.CallAsync("list", "nodes", null, ct => context.Client.CoreV1.ListNodeAsync(cancellationToken: ct), cancellationToken);
        var hosts = target.Hosting is { } pods ? await HostsOfAsync(pods, context, cancellationToken) : null;
        var matched = list.Items.Where(n => target.Matches(n) && target.Labels.All(l => l.Matches(n.Metadata.Labels)) && (hosts is null || hosts.Contains(n.Metadata.Name)))
            .OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).ToList();
        var missing = target.Names.Where(n => matched.All(m => m.Metadata.Name != n) && !target.ExceptNames.Contains(n)).ToList();
        if (missing.Count > 0)
        {
            throw new ChaosRefusedException(
                $"No node named {string.Join(", ", missing.Select(n => $"\"{n}\""))} in the cluster (nodes: {string.Join(", ", list.Items.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal))}). Check Nodes.Named(...). Nothing was changed.");
        }

        var reasons = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var eligible = new List<V1Node>();
        foreach (var node in matched)
        {
            var reason = WhyIneligible(node);
            if (reason is null)
            {
                eligible.Add(node);
            }
            else
            {
                if (!reasons.TryGetValue(reason, out var names))
                {
                    reasons[reason] = names = [];
                }

                names.Add(node.Metadata.Name);
                if (IsExcluded(node))
                {
                    context.Recorder.Excluded("node");
                }
            }
        }

        var filtered = string.Join("; ", reasons.Select(r => $"{r.Value.Count} {r.Key} ({string.Join(", ", r.Value)})"));
        if (eligible.Count == 0)
        {
            throw new ChaosRefusedException(
                $"No node to {verb}: {target} matched {matched.Count} node(s)"
                + (reasons.Count > 0 ? $", and every one was filtered out: {filtered}." : ".")
                + " Check the node labels and names. Nothing was changed.");
        }

        var picked = Planner.Pick(eligible, selection.CountOf(eligible.Count), seed);
        context.Recorder.Step("plan", $"{matched.Count} matched, {eligible.Count} eligible{(reasons.Count > 0 ? $" ({filtered} filtered out)" : string.Empty)}; "
            + $"picked {picked.Count} with seed {seed}: {string.Join(", ", picked.Select(n => n.Metadata.Name))}");
        Planner.GuardShare(picked.Count, list.Items.Count(n => WhyIneligible(n) is null), verb, "Ready nodes of the cluster", safety, context.Recorder);
        return picked;
    }

    /// <summary>The nodes running at least one live pod of <paramref name="pods"/>.</summary>
    private static async Task<HashSet<string>> HostsOfAsync(PodTarget pods, FaultContext context, CancellationToken cancellationToken)
    {
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ns in pods.Namespaces)
        {
            var list = await context.Api.CallAsync("list", "pods", ns,
                ct => context.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: pods.LabelSelector, fieldSelector: pods.FieldSelector, cancellationToken: ct), cancellationToken);
            foreach (var pod in list.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Spec?.NodeName is not null && (pods.Names.IsEmpty || pods.Names.Contains(p.Metadata.Name)) && !pods.IsExcluded(p)))
            {
                hosts.Add(pod.Spec.NodeName);
            }
        }

        return hosts;
    }

    private static bool IsExcluded(V1Node node) =>
        node.Metadata.Labels?.TryGetValue(SafetyOptions.ExclusionLabel, out var excluded) == true && excluded == "true";

    private static string? WhyIneligible(V1Node node)
    {
        if (IsExcluded(node))
        {
            return $"excluded by label {SafetyOptions.ExclusionLabel}=true";
        }

        return node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? null : "not Ready";
    }
}
