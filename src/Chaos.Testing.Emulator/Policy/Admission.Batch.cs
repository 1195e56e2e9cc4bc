using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Policy;

/// <content>The defaults of Jobs and CronJobs (batch/v1).</content>
internal sealed partial class Admission
{
    private static void ApplyBatch(ResourceType type, JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            return;
        }

        if (type == ResourceTypes.CronJobs)
        {
            spec["concurrencyPolicy"] ??= "Allow";
            spec["suspend"] ??= false;
            spec["successfulJobsHistoryLimit"] ??= 3;
            spec["failedJobsHistoryLimit"] ??= 1;
            if (spec["jobTemplate"]?["spec"]?["template"]?["spec"] is JsonObject cronPodSpec)
            {
                DefaultPodSpec(cronPodSpec);
            }

            obj["status"] = new JsonObject();
            return;
        }

        if (spec["completions"] is null && spec["parallelism"] is null)
        {
            spec["completions"] = 1;
            spec["parallelism"] = 1;
        }

        spec["parallelism"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        spec["podReplacementPolicy"] ??= "TerminatingOrFailed";
        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            DefaultPodSpec(podSpec);
        }

        obj["status"] = new JsonObject();
    }
}
