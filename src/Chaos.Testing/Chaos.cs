using Chaos.Testing.Engine;
using Chaos.Testing.Experiments;
using Chaos.Testing.Targets;
using k8s;

namespace Chaos.Testing;

/// <summary>
/// Entry point of the DSL: <c>Chaos.On(Pods.In("shop").WithLabel("app", "cart")).Kill().For(...).Verify(...).RunAsync(client)</c>.
/// </summary>
public static class Chaos
{
    /// <summary>Starts an experiment on pods.</summary>
    /// <param name="target">The pods to pick from.</param>
    /// <returns>The selection stage; choose how many (default one) and then a fault.</returns>
    public static PodChaos On(PodTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new PodChaos(target);
    }
}
