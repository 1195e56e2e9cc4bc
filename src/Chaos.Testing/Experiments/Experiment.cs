using k8s;

namespace Chaos.Testing;

/// <summary>
/// Entry point of the DSL: <c>Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill().For(...).Verify(...).RunAsync(client)</c>.
/// </summary>
/// <remarks>
/// Named <c>Experiment</c> rather than <c>Chaos</c>: in user code <c>Chaos.On</c> would resolve to the root namespace
/// <c>Chaos</c> of this package, not to a type, and fail to compile.
/// </remarks>
public static class Experiment
{
    /// <summary>Starts an experiment on pods.</summary>
    /// <param name="target">The pods to pick from.</param>
    /// <returns>The selection stage; choose how many (default one) and then a fault.</returns>
    public static PodChaos On(PodTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new PodChaos(target);
    }

    /// <summary>Starts an experiment on nodes.</summary>
    /// <param name="target">The nodes to pick from.</param>
    /// <returns>The selection stage; choose how many (default one) and then a fault.</returns>
    public static NodeChaos On(NodeTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new NodeChaos(target);
    }
}
