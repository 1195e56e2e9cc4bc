using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Status and conditions as the controllers write them. Each helper reports whether anything changed, so a pass that
/// changes nothing writes nothing (a write would wake the loop again).
/// </summary>
internal static class ObjectStatus
{
    /// <summary>Replaces the object's status; reports whether it differed.</summary>
    public static bool Set(JsonObject obj, JsonObject status)
    {
        if (JsonNode.DeepEquals(obj["status"], status))
        {
            return false;
        }

        obj["status"] = status;
        return true;
    }

    /// <summary>A pod condition; its transition time is kept while its status is unchanged.</summary>
    public static JsonObject PodCondition(TimeProvider time, JsonArray? existing, string type, bool value, string? reason, string? message)
    {
        var status = value ? "True" : "False";
        var previous = existing?.FirstOrDefault(c => c?["type"]?.ToString() == type);
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = previous?["status"]?.ToString() == status
                ? previous["lastTransitionTime"]?.DeepClone()
                : Admission.FormatTime(time.GetUtcNow()),
        };
        if (reason is not null)
        {
            condition["reason"] = reason;
            condition["message"] = message;
        }

        return condition;
    }

    /// <summary>Replaces the named conditions, keeps the others; reports whether anything changed.</summary>
    public static bool SetPodConditions(JsonObject pod, IReadOnlyList<JsonObject> conditions)
    {
        var status = pod["status"] as JsonObject ?? new JsonObject();
        pod.Put("status", status);
        var list = status["conditions"] as JsonArray ?? [];
        var before = list.DeepClone();
        foreach (var condition in conditions)
        {
            var index = list.ToList().FindIndex(c => c?["type"]?.ToString() == condition["type"]!.ToString());
            if (index >= 0)
            {
                list[index] = condition;
            }
            else
            {
                list.Add(condition);
            }
        }

        status.Put("conditions", list);
        return !JsonNode.DeepEquals(before, list);
    }

    /// <summary>A workload condition (Deployment): its update time moves with its reason, its transition time with its status.</summary>
    public static JsonObject WorkloadCondition(
        TimeProvider time, JsonArray? existing, string type, bool value, string reason, string message)
    {
        var status = value ? "True" : "False";
        var previous = existing?.FirstOrDefault(c => c?["type"]?.ToString() == type);
        var changed = previous?["status"]?.ToString() != status;
        var now = Admission.FormatTime(time.GetUtcNow());
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastUpdateTime"] = changed || previous?["reason"]?.ToString() != reason ? now : previous?["lastUpdateTime"]?.DeepClone(),
            ["lastTransitionTime"] = changed ? now : previous?["lastTransitionTime"]?.DeepClone(),
            ["reason"] = reason,
            ["message"] = message,
        };
    }
}
