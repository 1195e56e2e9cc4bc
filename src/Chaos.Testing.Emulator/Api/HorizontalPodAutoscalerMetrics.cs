using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Api;

/// <summary>
/// One metric of a HorizontalPodAutoscaler in the <c>autoscaling/v1</c> shape (kept in annotations there) and the
/// <c>autoscaling/v2</c> shape (<c>spec.metrics</c>, <c>status.currentMetrics</c>).
/// </summary>
internal static class HorizontalPodAutoscalerMetrics
{
    private static readonly Dictionary<string, (string V1, string V2)[]> Specs = new(StringComparer.Ordinal)
    {
        ["resource"] = [("name", "name"), ("targetAverageUtilization", "target.averageUtilization"), ("targetAverageValue", "target.averageValue")],
        ["containerResource"] =
        [
            ("name", "name"), ("container", "container"), ("targetAverageUtilization", "target.averageUtilization"),
            ("targetAverageValue", "target.averageValue"),
        ],
        ["pods"] = [("metricName", "metric.name"), ("selector", "metric.selector"), ("targetAverageValue", "target.averageValue")],
        ["object"] =
        [
            ("target", "describedObject"), ("metricName", "metric.name"), ("selector", "metric.selector"),
            ("targetValue", "target.value"), ("averageValue", "target.averageValue"),
        ],
        ["external"] =
        [
            ("metricName", "metric.name"), ("metricSelector", "metric.selector"), ("targetValue", "target.value"),
            ("targetAverageValue", "target.averageValue"),
        ],
    };

    private static readonly Dictionary<string, (string V1, string V2)[]> Statuses = new(StringComparer.Ordinal)
    {
        ["resource"] = [("name", "name"), ("currentAverageUtilization", "current.averageUtilization"), ("currentAverageValue", "current.averageValue")],
        ["containerResource"] =
        [
            ("name", "name"), ("container", "container"), ("currentAverageUtilization", "current.averageUtilization"),
            ("currentAverageValue", "current.averageValue"),
        ],
        ["pods"] = [("metricName", "metric.name"), ("selector", "metric.selector"), ("currentAverageValue", "current.averageValue")],
        ["object"] =
        [
            ("target", "describedObject"), ("metricName", "metric.name"), ("selector", "metric.selector"),
            ("currentValue", "current.value"), ("averageValue", "current.averageValue"),
        ],
        ["external"] =
        [
            ("metricName", "metric.name"), ("metricSelector", "metric.selector"), ("currentValue", "current.value"),
            ("currentAverageValue", "current.averageValue"),
        ],
    };

    /// <summary>A v2 <c>MetricSpec</c> in the v1 shape.</summary>
    public static JsonObject SpecToV1(JsonObject v2) => Convert(v2, Specs, toV1: true);

    /// <summary>A v1 <c>MetricSpec</c> in the v2 shape, with the target's <c>type</c> the v1 fields imply.</summary>
    public static JsonObject SpecToV2(JsonObject v1)
    {
        var v2 = Convert(v1, Specs, toV1: false);
        if (Source(v2) is { } source && source["target"] is JsonObject target)
        {
            target["type"] = target.ContainsKey("averageUtilization") ? "Utilization"
                : target.ContainsKey("value") ? "Value"
                : "AverageValue";
        }

        return v2;
    }

    /// <summary>A v2 <c>MetricStatus</c> in the v1 shape.</summary>
    public static JsonObject StatusToV1(JsonObject v2) => Convert(v2, Statuses, toV1: true);

    /// <summary>A v1 <c>MetricStatus</c> in the v2 shape.</summary>
    public static JsonObject StatusToV2(JsonObject v1) => Convert(v1, Statuses, toV1: false);

    /// <summary>Whether a v2 metric is the CPU utilization that v1 has its own field for (its value, or null).</summary>
    public static JsonNode? CpuUtilization(JsonNode? metric, string valuePath) =>
        metric?["type"]?.ToString() == "Resource" && FieldMap.Get(metric, "resource.name")?.ToString() == "cpu"
            ? FieldMap.Get(metric, "resource." + valuePath)
            : null;

    private static JsonObject? Source(JsonObject metric) =>
        metric["type"]?.ToString() is { Length: > 0 } type ? metric[Key(type)] as JsonObject : null;

    private static JsonObject Convert(JsonObject metric, Dictionary<string, (string V1, string V2)[]> table, bool toV1)
    {
        var result = new JsonObject { ["type"] = metric["type"]?.DeepClone() };
        var type = metric["type"]?.ToString() ?? string.Empty;
        if (type.Length > 0 && table.TryGetValue(Key(type), out var pairs))
        {
            var mapping = toV1 ? pairs.Select(p => (p.V2, p.V1)) : pairs.Select(p => (p.V1, p.V2));
            result[Key(type)] = FieldMap.Map(metric[Key(type)] as JsonObject, mapping);
        }

        return result;
    }

    private static string Key(string type) => char.ToLowerInvariant(type[0]) + type[1..];
}
