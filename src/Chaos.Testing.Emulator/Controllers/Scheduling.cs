using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>Taints, tolerations and node selectors, as the scheduler and the taint manager read them.</summary>
internal static class Scheduling
{
    public const string UnschedulableTaintKey = "node.kubernetes.io/unschedulable";

    /// <summary>The first taint of the node that the tolerations do not tolerate (NoSchedule and NoExecute; cordon counts as a NoSchedule taint when asked).</summary>
    public static JsonNode? UntoleratedTaint(StoredObject node, IEnumerable<JsonNode?> tolerations, bool includeUnschedulable, bool noExecuteOnly = false)
    {
        var list = tolerations.ToList();
        var taints = (node.Node["spec"]?["taints"] as JsonArray ?? []).ToList();
        if (includeUnschedulable && JsonNumbers.IsTrue(node.Node["spec"]?["unschedulable"]))
        {
            taints.Add(new JsonObject { ["key"] = UnschedulableTaintKey, ["effect"] = "NoSchedule" });
        }

        foreach (var taint in taints)
        {
            var effect = taint?["effect"]?.ToString();
            if (effect == "PreferNoSchedule" || (noExecuteOnly && effect != "NoExecute"))
            {
                continue;
            }

            if (!list.Any(t => Tolerates(t, taint)))
            {
                return taint;
            }
        }

        return null;
    }

    public static bool Tolerates(JsonNode? toleration, JsonNode? taint)
    {
        if (toleration is null || taint is null)
        {
            return false;
        }

        var effect = toleration["effect"]?.ToString();
        if (!string.IsNullOrEmpty(effect) && effect != taint["effect"]?.ToString())
        {
            return false;
        }

        var key = toleration["key"]?.ToString();
        var op = toleration["operator"]?.ToString() ?? "Equal";
        if (op == "Exists")
        {
            return string.IsNullOrEmpty(key) || key == taint["key"]?.ToString();
        }

        return key == taint["key"]?.ToString() && (toleration["value"]?.ToString() ?? string.Empty) == (taint["value"]?.ToString() ?? string.Empty);
    }

    public static bool NodeSelectorMatches(JsonNode podSpec, StoredObject node)
    {
        foreach (var (key, value) in podSpec["nodeSelector"] as JsonObject ?? [])
        {
            if (node.Labels.GetValueOrDefault(key) != value?.ToString())
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsNodeReady(StoredObject node) =>
        (node.Node["status"]?["conditions"] as JsonArray ?? [])
        .Any(c => c?["type"]?.ToString() == "Ready" && c["status"]?.ToString() == "True");
}
