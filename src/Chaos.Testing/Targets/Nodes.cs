namespace Chaos.Testing;

/// <summary>Entry point for node targets.</summary>
public static class Nodes
{
    /// <summary>Targets every node of the cluster; refine with labels, names and exclusions.</summary>
    /// <returns>A target of every node.</returns>
    /// <example><code>Nodes.All().WithLabel("pool", "workers")</code></example>
    public static NodeTarget All() => new();

    /// <summary>Targets the nodes with these names.</summary>
    /// <param name="names">Node names (at least one).</param>
    /// <returns>A target of those nodes.</returns>
    public static NodeTarget Named(params string[] names) => new NodeTarget().Named(names);

    /// <summary>Targets the nodes that run at least one of <paramref name="pods"/> (resolved when the experiment runs).</summary>
    /// <param name="pods">The pods, e.g. <c>Pods.In("shop").WithLabel("app", "cart")</c>.</param>
    /// <returns>A target of those nodes.</returns>
    /// <example><code>Experiment.On(Nodes.Hosting(Pods.In("shop").WithLabel("app", "cart"))).Drain()</code></example>
    public static NodeTarget Hosting(PodTarget pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        return new NodeTarget { Hosting = pods };
    }
}
