using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>A Job's status as the Job controller writes it: counts, start and completion times, and its conditions.</summary>
internal static class JobStatus
{
    /// <summary>The Job's terminal condition type (<c>Complete</c> or <c>Failed</c>), or null while it runs.</summary>
    public static string? FinishedCondition(JsonNode? status) =>
        (status?["conditions"] as JsonArray ?? [])
        .FirstOrDefault(c => c?["type"]?.ToString() is "Complete" or "Failed" && c["status"]?.ToString() == "True")?["type"]?.ToString();

    /// <summary>Writes the status; reports whether it changed.</summary>
    public static bool Write(
        JsonObject job, DateTimeOffset now, int active, int ready, long succeeded, long failed, bool suspended, string? outcome, string? reason, string? message)
    {
        var previous = job["status"] as JsonObject ?? [];
        var status = (JsonObject)previous.DeepClone();
        var time = Timestamps.Format(now);
        if (!suspended || active > 0)
        {
            status["startTime"] ??= time;
        }

        Count(status, "active", active);
        Count(status, "succeeded", succeeded);
        Count(status, "failed", failed);
        status["ready"] = ready;
        status["uncountedTerminatedPods"] ??= new JsonObject();
        var conditions = status["conditions"] as JsonArray ?? [];
        SetCondition(conditions, "Suspended", suspended, suspended ? "JobSuspended" : "JobResumed", suspended ? "Job suspended" : "Job resumed", time);
        if (outcome is not null && FinishedCondition(status) is null)
        {
            // Since Kubernetes 1.31 the terminal condition follows an interim one (SuccessCriteriaMet / FailureTarget).
            var interim = outcome == "Complete" ? "SuccessCriteriaMet" : "FailureTarget";
            SetCondition(conditions, interim, true, reason ?? "CompletionsReached", message ?? "Reached expected number of succeeded pods", time);
            SetCondition(conditions, outcome, true, reason ?? "CompletionsReached", message ?? "Reached expected number of succeeded pods", time);
            if (outcome == "Complete")
            {
                status["completionTime"] = time;
            }
        }

        if (conditions.Count > 0)
        {
            status["conditions"] = conditions;
        }

        return ObjectStatus.Set(job, status);
    }

    // Counts are omitted while zero, as the API server's omitempty does.
    private static void Count(JsonObject status, string field, long value)
    {
        if (value == 0)
        {
            status.Remove(field);
        }
        else
        {
            status[field] = value;
        }
    }

    // A condition is added when it first becomes true; an existing one flips (Suspended) with a new transition time.
    private static void SetCondition(JsonArray conditions, string type, bool value, string reason, string message, string time)
    {
        var existing = conditions.FirstOrDefault(c => c?["type"]?.ToString() == type) as JsonObject;
        var text = value ? "True" : "False";
        if (existing is null && !value)
        {
            return;
        }

        if (existing?["status"]?.ToString() == text)
        {
            return;
        }

        if (existing is not null)
        {
            conditions.Remove(existing);
        }

        conditions.Add(new JsonObject
        {
            ["type"] = type,
            ["status"] = text,
            ["lastProbeTime"] = time,
            ["lastTransitionTime"] = time,
            ["reason"] = reason,
            ["message"] = message,
        });
    }
}
