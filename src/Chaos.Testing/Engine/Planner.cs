using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Plan and guard: resolve the target, drop what must not be picked, pick (seeded), refuse what the safety guards forbid.</summary>
internal static class Planner
{
    public static async Task<IReadOnlyList<V1Pod>> PlanAsync(PodTarget target, Selection selection, FaultContext context, SafetyOptions safety, string verb, int seed, CancellationToken cancellationToken)
    {
        var (client, api, recorder) = (context.Client, context.Api, context.Recorder);
        foreach (var ns in target.Namespaces)
        {
            await GuardNamespaceAsync(ns, client, api, safety, cancellationToken);
        }

        recorder.Step("guard", $"namespaces {string.Join(", ", target.Namespaces)} allowed");

        var excludedNodes = await api.CallAsync("list", "nodes", null,
            ct => client.CoreV1.ListNodeAsync(labelSelector: $"{SafetyOptions.ExclusionLabel}=true", cancellationToken: ct), cancellationToken);
        var protectedNodes = excludedNodes.Items.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);

        var matched = new List<V1Pod>();
        foreach (var ns in target.Namespaces)
        {
            var list = await api.CallAsync("list", "pods", ns,
                ct => client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: target.LabelSelector, fieldSelector: target.FieldSelector, cancellationToken: ct), cancellationToken);
            matched.AddRange(list.Items.Where(p => target.Names.IsEmpty || target.Names.Contains(p.Metadata.Name)));
        }

        var reasons = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Drop(string reason, V1Pod pod)
        {
            if (!reasons.TryGetValue(reason, out var list))
            {
                reasons[reason] = list = [];
            }

            list.Add(pod.Metadata.Name);
        }

        var eligible = new List<V1Pod>();
        foreach (var pod in matched.OrderBy(p => p.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                Drop("terminating", pod);
            }
            else if (pod.Status?.Phase != "Running")
            {
                Drop("not running", pod);
            }
            else if (pod.Metadata.Labels?.TryGetValue(SafetyOptions.ExclusionLabel, out var excluded) == true && excluded == "true")
            {
                Drop($"excluded by label {SafetyOptions.ExclusionLabel}=true", pod);
                recorder.Excluded("pod");
            }
            else if (target.IsExcluded(pod))
            {
                Drop($"excluded by {string.Join(", ", target.Exclusions)}", pod);
            }
            else if (pod.Spec?.NodeName is { } node && protectedNodes.Contains(node))
            {
                Drop($"on a node labelled {SafetyOptions.ExclusionLabel}=true", pod);
                recorder.Excluded("pod");
            }
            else
            {
                eligible.Add(pod);
            }
        }

        var filtered = string.Join("; ", reasons.Select(r => $"{r.Value.Count} {r.Key} ({string.Join(", ", r.Value.Take(5))}{(r.Value.Count > 5 ? ", ..." : string.Empty)})"));
        if (eligible.Count == 0)
        {
            throw new ChaosRefusedException(
                $"No pod to {verb}: {target} matched {matched.Count} pod(s)"
                + (reasons.Count > 0 ? $", and every one was filtered out: {filtered}." : ".")
                + " Check the namespace and labels, or wait until the workload is Running. Nothing was changed.");
        }

        var count = selection.CountOf(eligible.Count);
        var picked = Pick(eligible, count, seed);
        recorder.Step("plan", $"{matched.Count} matched, {eligible.Count} eligible{(reasons.Count > 0 ? $" ({filtered} filtered out)" : string.Empty)}; "
            + $"picked {picked.Count} with seed {seed}: {string.Join(", ", picked.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"))}");
        GuardShare(picked.Count, eligible.Count, verb, "pods", safety, recorder);
        return picked;
    }

    /// <summary>Refuses a pick larger than Safety.MaxPercentage or leaving fewer than Safety.MinHealthyRemaining untouched.</summary>
    public static void GuardShare(int pickedCount, int eligibleCount, string verb, string noun, SafetyOptions safety, ExperimentRecorder recorder)
    {
        var percent = pickedCount * 100.0 / eligibleCount;
        if (percent > safety.MaxPercentage)
        {
            throw new ChaosRefusedException(
                $"Refusing to {verb} {pickedCount} of {eligibleCount} eligible {noun} ({percent:0.#}%): Safety.MaxPercentage is {safety.MaxPercentage}. "
                + $"Pick fewer with One()/Count()/Percent(), or raise the limit with .WithSafety(s => s.MaxPercentage = {Math.Min(100, (int)Math.Ceiling(percent))}). Nothing was changed.")
            {
                Guard = RefusalGuard.MaxPercentage,
            };
        }

        if (eligibleCount - pickedCount < safety.MinHealthyRemaining)
        {
            throw new ChaosRefusedException(
                $"Refusing to {verb} {pickedCount} of {eligibleCount} eligible {noun}: only {eligibleCount - pickedCount} would stay untouched and Safety.MinHealthyRemaining is {safety.MinHealthyRemaining}. "
                + "Pick fewer, scale the workload up, or lower the limit with .WithSafety(s => s.MinHealthyRemaining = 0). Nothing was changed.")
            {
                Guard = RefusalGuard.MinHealthyRemaining,
            };
        }

        recorder.Step("guard", $"{pickedCount} of {eligibleCount} ({percent:0.#}%) within Safety.MaxPercentage {safety.MaxPercentage}, {eligibleCount - pickedCount} untouched");
    }

    /// <summary>A seeded shuffle of the eligible pods (sorted first, so the same seed picks the same pods).</summary>
    internal static List<T> Pick<T>(IReadOnlyList<T> eligible, int count, int seed)
    {
        var random = new Random(seed);
        var order = eligible.ToList();
        for (var i = order.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order.Take(count).ToList();
    }

    internal static async Task GuardNamespaceAsync(string ns, IKubernetes client, ApiCalls api, SafetyOptions safety, CancellationToken cancellationToken)
    {
        if (safety.ProtectedNamespaces.Contains(ns))
        {
            throw new ChaosRefusedException(
                $"Refusing to touch namespace \"{ns}\": it is protected (Safety.ProtectedNamespaces: {string.Join(", ", safety.ProtectedNamespaces.Order(StringComparer.Ordinal))}). "
                + "Target your own workload's namespace. Nothing was changed.")
            {
                Guard = RefusalGuard.ProtectedNamespace,
            };
        }

        V1Namespace found;
        try
        {
            found = await api.CallAsync("get", "namespaces", null, ct => client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            throw new ChaosRefusedException($"Namespace \"{ns}\" does not exist. Check Pods.In(...). Nothing was changed.", ex);
        }

        if (found.Metadata.Labels?.TryGetValue(SafetyOptions.ExclusionLabel, out var excluded) == true && excluded == "true")
        {
            throw new ChaosRefusedException(
                $"Refusing to touch namespace \"{ns}\": it is labelled {SafetyOptions.ExclusionLabel}=true. Remove the label to allow chaos there. Nothing was changed.")
            {
                Guard = RefusalGuard.ExcludedNamespace,
            };
        }

        if (!safety.AllowProduction && ProductionNamespaces.Why(found) is { } why)
        {
            throw new ChaosRefusedException(
                $"Refusing to touch namespace \"{ns}\": {why}, so it looks like production. "
                + "If this is intended, call .AllowProduction() on the experiment. Nothing was changed.")
            {
                Guard = RefusalGuard.Production,
            };
        }
    }
}
