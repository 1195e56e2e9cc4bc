using k8s.Models;

namespace Chaos.Testing;

/// <summary>What makes a namespace look like production.</summary>
internal static class ProductionNamespaces
{
    /// <summary>The reason the namespace looks like production, or null.</summary>
    public static string? Why(V1Namespace ns)
    {
        var name = ns.Metadata.Name;
        if (name is "prod" or "production" || name.StartsWith("prod-", StringComparison.Ordinal) || name.StartsWith("production-", StringComparison.Ordinal)
            || name.EndsWith("-prod", StringComparison.Ordinal) || name.EndsWith("-production", StringComparison.Ordinal))
        {
            return $"its name is \"{name}\"";
        }

        var labels = ns.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var key in new[] { "environment", "env" })
        {
            if (labels.TryGetValue(key, out var value) && value is "production" or "prod")
            {
                return $"it is labelled {key}={value}";
            }
        }

        if (ns.Metadata.Annotations?.TryGetValue(SafetyOptions.ProductionAnnotation, out var annotation) == true && annotation == "true")
        {
            return $"it is annotated {SafetyOptions.ProductionAnnotation}=true";
        }

        return null;
    }
}
