using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Validation;

/// <content>Jobs and CronJobs: a pod template that never restarts on its own, a parseable schedule, sane counts.</content>
internal static partial class ObjectValidator
{
    private static readonly string[] JobRestartPolicies = ["OnFailure", "Never"];
    private static readonly string[] ConcurrencyPolicies = ["Allow", "Forbid", "Replace"];

    private static void ValidateBatch(ResourceType type, JsonObject? spec, List<FieldError> errors)
    {
        var prefix = "spec";
        var jobSpec = spec;
        if (type == ResourceTypes.CronJobs)
        {
            var schedule = spec?["schedule"]?.ToString();
            if (string.IsNullOrEmpty(schedule))
            {
                errors.Add(FieldError.Required("spec.schedule"));
            }
            else if (!CronSchedule.TryParse(schedule, out _))
            {
                errors.Add(FieldError.Invalid("spec.schedule", schedule, "unparseable cron expression"));
            }

            var policy = spec?["concurrencyPolicy"]?.ToString();
            if (policy is not null && !ConcurrencyPolicies.Contains(policy))
            {
                errors.Add(FieldError.NotSupported("spec.concurrencyPolicy", policy, ConcurrencyPolicies));
            }

            prefix = "spec.jobTemplate.spec";
            jobSpec = spec?["jobTemplate"]?["spec"] as JsonObject;
        }

        foreach (var field in new[] { "parallelism", "completions", "backoffLimit", "activeDeadlineSeconds" })
        {
            if (jobSpec?[field] is { } value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number && value.ToInt64() < (field == "activeDeadlineSeconds" ? 1 : 0))
            {
                errors.Add(FieldError.Invalid($"{prefix}.{field}", value.ToJsonString(), "must be greater than or equal to 0"));
            }
        }

        var podSpec = jobSpec?["template"]?["spec"] as JsonObject;
        if (podSpec is null)
        {
            errors.Add(FieldError.Required($"{prefix}.template.spec"));
            return;
        }

        var restartPolicy = podSpec["restartPolicy"]?.ToString();
        if (restartPolicy is null)
        {
            errors.Add(FieldError.Required($"{prefix}.template.spec.restartPolicy"));
        }
        else if (!JobRestartPolicies.Contains(restartPolicy))
        {
            errors.Add(FieldError.NotSupported($"{prefix}.template.spec.restartPolicy", restartPolicy, JobRestartPolicies));
        }

        ValidatePodSpec(podSpec, $"{prefix}.template.spec", errors);
    }
}
