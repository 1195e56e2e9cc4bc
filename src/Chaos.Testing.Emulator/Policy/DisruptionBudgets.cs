using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Policy;

/// <summary>The disruption controller's arithmetic: how many pods are healthy, how many must be, how many may go.</summary>
internal static class DisruptionBudgets
{
    public static BudgetState Compute(ResourceStore store, StoredObject budget)
    {
        var selector = budget.Node["spec"]?["selector"];
        var (pods, _) = store.List(ResourceTypes.Pods, budget.Namespace, p => SelectorMatcher.Matches(selector, p.Labels));
        var live = pods.Where(p => !p.Terminating).ToList();
        var healthy = live.Count(Admission.IsPodReady);
        var expected = ExpectedPods(store, pods);
        // A budget without spec (the API accepts one) selects no pods and asks for none: nothing to protect, nothing allowed.
        var spec = budget.Node["spec"];
        int desired;
        if (spec?["minAvailable"] is { } min)
        {
            desired = Resolve(min, expected, out var isPercent);
            if (!isPercent)
            {
                expected = Math.Max(expected, live.Count);
            }
        }
        else if (spec?["maxUnavailable"] is { } max)
        {
            desired = Math.Max(0, expected - Resolve(max, expected, out _));
        }
        else
        {
            desired = 0;
        }

        return new BudgetState(healthy, desired, Math.Max(0, healthy - desired), expected);
    }

    /// <summary>The scale of the controllers behind the pods (what the budget should protect), or the pod count without them.</summary>
    private static int ExpectedPods(ResourceStore store, IReadOnlyList<StoredObject> pods)
    {
        var total = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var owner = (pod.Node["metadata"]?["ownerReferences"] as JsonArray ?? [])
                .FirstOrDefault(r => JsonNumbers.IsTrue(r?["controller"]));
            if (owner is null)
            {
                total++;
                continue;
            }

            var kind = owner["kind"]!.ToString();
            var name = owner["name"]!.ToString();
            if (!seen.Add($"{kind}/{name}"))
            {
                continue;
            }

            var type = kind switch
            {
                "ReplicaSet" => ResourceTypes.ReplicaSets,
                "StatefulSet" => ResourceTypes.StatefulSets,
                _ => null,
            };
            var scale = type is null ? null : store.Get(type, pod.Namespace, name)?.Node["spec"]?["replicas"]?.ToInt32();
            total += scale ?? pods.Count(p => (p.Node["metadata"]?["ownerReferences"] as JsonArray ?? []).Any(r => r?["name"]?.ToString() == name));
        }

        return total;
    }

    private static int Resolve(JsonNode value, int total, out bool isPercent)
    {
        var text = value.ToString();
        isPercent = text.EndsWith('%');
        if (isPercent)
        {
            var percent = int.Parse(text.TrimEnd('%'), CultureInfo.InvariantCulture);
            return (int)Math.Ceiling(total * percent / 100.0);
        }

        return value.ToInt32();
    }

    internal sealed record BudgetState(int CurrentHealthy, int DesiredHealthy, int DisruptionsAllowed, int ExpectedPods);
}
