using System.Collections.Immutable;

namespace Chaos.Testing;

/// <summary>Entry point for pod targets.</summary>
public static class Pods
{
    /// <summary>Targets the pods of one or more namespaces; refine with labels, fields, names and exclusions.</summary>
    /// <param name="namespaces">The namespaces (at least one).</param>
    /// <returns>A target of every pod in those namespaces.</returns>
    /// <example><code>Pods.In("shop").WithLabel("app", "cart")</code></example>
    public static PodTarget In(params string[] namespaces) => new((namespaces ?? []).ToImmutableArray());
}
