using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Api;

/// <summary>
/// <c>autoscaling/v1</c> HorizontalPodAutoscaler to and from the stored <c>autoscaling/v2</c> one, as the API server
/// converts them: <c>targetCPUUtilizationPercentage</c> is the CPU <c>Resource</c> metric's <c>averageUtilization</c>,
/// <c>currentCPUUtilizationPercentage</c> the current one; what v1 has no field for (the other metrics, the current
/// metrics, the conditions, the behavior) travels in <c>autoscaling.alpha.kubernetes.io/*</c> annotations, so that
/// an object read and written back through v1 keeps it.
/// </summary>
internal static class HorizontalPodAutoscalerConversion
{
    /// <summary>The v2 metrics other than the CPU utilization, in the v1 shape.</summary>
    public const string MetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";

    /// <summary>The v2 current metrics, in the v1 shape.</summary>
    public const string CurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";

    /// <summary>The v2 status conditions.</summary>
    public const string ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";

    /// <summary>The v2 <c>spec.behavior</c>.</summary>
    public const string BehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

    /// <summary>The utilization the autoscaler aims at when no metric is given.</summary>
    public const int DefaultCpuUtilization = 80;

    /// <summary>A stored v2 object as <c>autoscaling/v1</c>.</summary>
    public static JsonObject ToV1(JsonObject v2)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        var spec = v2["spec"] as JsonObject;
        var metrics = (spec?["metrics"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var v1Spec = FieldMap.Map(spec, [("scaleTargetRef", "scaleTargetRef"), ("minReplicas", "minReplicas"), ("maxReplicas", "maxReplicas")]);
        if (metrics.Select(m => HorizontalPodAutoscalerMetrics.CpuUtilization(m, "target.averageUtilization")).FirstOrDefault(v => v is not null) is { } cpu)
        {
            v1Spec["targetCPUUtilizationPercentage"] = cpu.DeepClone();
        }

        var others = metrics.Where(m => HorizontalPodAutoscalerMetrics.CpuUtilization(m, "target.averageUtilization") is null).ToList();
        AnnotateList(annotations, MetricsAnnotation, others.Select(HorizontalPodAutoscalerMetrics.SpecToV1));
        if (spec?["behavior"] is JsonObject behavior)
        {
            annotations[BehaviorAnnotation] = behavior.ToJsonString();
        }

        var status = v2["status"] as JsonObject;
        var v1Status = FieldMap.Map(status, [
            ("observedGeneration", "observedGeneration"), ("lastScaleTime", "lastScaleTime"),
            ("currentReplicas", "currentReplicas"), ("desiredReplicas", "desiredReplicas"),
        ]);
        var current = (status?["currentMetrics"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (current.Select(m => HorizontalPodAutoscalerMetrics.CpuUtilization(m, "current.averageUtilization")).FirstOrDefault(v => v is not null) is { } used)
        {
            v1Status["currentCPUUtilizationPercentage"] = used.DeepClone();
        }

        AnnotateList(annotations, CurrentMetricsAnnotation, current.Select(HorizontalPodAutoscalerMetrics.StatusToV1));
        AnnotateList(annotations, ConditionsAnnotation, (status?["conditions"] as JsonArray)?.OfType<JsonObject>().Select(c => (JsonObject)c.DeepClone()) ?? []);

        var metadata = (JsonObject?)v2["metadata"]?.DeepClone() ?? new JsonObject();
        if (annotations.Count > 0)
        {
            var existing = metadata["annotations"] as JsonObject ?? new JsonObject();
            foreach (var (key, value) in annotations)
            {
                existing[key] = value;
            }

            metadata["annotations"] = existing;
        }

        var v1 = new JsonObject { ["kind"] = "HorizontalPodAutoscaler", ["apiVersion"] = "autoscaling/v1", ["metadata"] = metadata, ["spec"] = v1Spec };
        if (status is not null)
        {
            v1["status"] = v1Status;
        }

        return v1;
    }

    /// <summary>An <c>autoscaling/v1</c> object as the v2 object it is stored as (its annotations taken back into fields).</summary>
    public static JsonObject ToV2(JsonObject v1)
    {
        var metadata = (JsonObject?)v1["metadata"]?.DeepClone() ?? new JsonObject();
        var annotations = metadata["annotations"] as JsonObject;
        JsonArray? Take(string key)
        {
            var text = annotations?[key]?.ToString();
            annotations?.Remove(key);
            try
            {
                return text is null ? null : JsonNode.Parse(text) as JsonArray;
            }
            catch (JsonException ex)
            {
                throw ApiException.BadRequest($"the annotation {key} is not a JSON list: {ex.Message}");
            }
        }

        var others = Take(MetricsAnnotation);
        var current = Take(CurrentMetricsAnnotation);
        var conditions = Take(ConditionsAnnotation);
        var behaviorText = annotations?[BehaviorAnnotation]?.ToString();
        annotations?.Remove(BehaviorAnnotation);
        if (annotations is { Count: 0 })
        {
            metadata.Remove("annotations");
        }

        var spec = v1["spec"] as JsonObject;
        var v2Spec = FieldMap.Map(spec, [("scaleTargetRef", "scaleTargetRef"), ("minReplicas", "minReplicas"), ("maxReplicas", "maxReplicas")]);
        var metrics = new JsonArray();
        if (spec?["targetCPUUtilizationPercentage"] is { } cpu)
        {
            metrics.Add(CpuMetric("target", "Utilization", cpu.DeepClone()));
        }

        foreach (var metric in others?.OfType<JsonObject>() ?? [])
        {
            metrics.Add(HorizontalPodAutoscalerMetrics.SpecToV2(metric));
        }

        if (metrics.Count == 0)
        {
            metrics.Add(CpuMetric("target", "Utilization", DefaultCpuUtilization));
        }

        v2Spec["metrics"] = metrics;
        if (behaviorText is not null)
        {
            v2Spec["behavior"] = ParseBehavior(behaviorText);
        }

        var v2 = new JsonObject { ["kind"] = "HorizontalPodAutoscaler", ["apiVersion"] = "autoscaling/v2", ["metadata"] = metadata, ["spec"] = v2Spec };
        if (v1["status"] is JsonObject status)
        {
            var v2Status = FieldMap.Map(status, [
                ("observedGeneration", "observedGeneration"), ("lastScaleTime", "lastScaleTime"),
                ("currentReplicas", "currentReplicas"), ("desiredReplicas", "desiredReplicas"),
            ]);
            if (current is not null)
            {
                v2Status["currentMetrics"] = new JsonArray(current.OfType<JsonObject>().Select(m => (JsonNode)HorizontalPodAutoscalerMetrics.StatusToV2(m)).ToArray());
            }
            else if (status["currentCPUUtilizationPercentage"] is { } used)
            {
                v2Status["currentMetrics"] = new JsonArray(CpuMetric("current", null, used.DeepClone()));
            }

            if (conditions is not null)
            {
                v2Status["conditions"] = conditions;
            }

            v2["status"] = v2Status;
        }

        return v2;
    }

    private static JsonObject CpuMetric(string field, string? type, JsonNode utilization)
    {
        var value = type is null ? new JsonObject() : new JsonObject { ["type"] = type };
        value["averageUtilization"] = utilization;

        return new JsonObject { ["type"] = "Resource", ["resource"] = new JsonObject { ["name"] = "cpu", [field] = value } };
    }

    private static JsonNode ParseBehavior(string text)
    {
        try
        {
            return JsonNode.Parse(text) ?? throw ApiException.BadRequest($"the annotation {BehaviorAnnotation} is empty");
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the annotation {BehaviorAnnotation} is not JSON: {ex.Message}");
        }
    }

    private static void AnnotateList(Dictionary<string, string> annotations, string key, IEnumerable<JsonObject> items)
    {
        var array = new JsonArray(items.Select(i => (JsonNode)i).ToArray());
        if (array.Count > 0)
        {
            annotations[key] = array.ToJsonString();
        }
    }
}
