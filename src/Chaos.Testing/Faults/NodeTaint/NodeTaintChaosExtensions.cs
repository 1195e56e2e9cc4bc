namespace Chaos.Testing;

/// <summary>The <c>Taint()</c> fault of the DSL.</summary>
public static class NodeTaintChaosExtensions
{
    /// <summary>
    /// Adds a taint to the selected nodes for the duration (<see cref="TaintEffect.NoExecute"/> also evicts running pods
    /// that do not tolerate it). Recovery removes only this taint; taints added or changed by others meanwhile stay.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Changes to the default <see cref="NodeTaintOptions"/> (key <c>chaos.testing/taint</c>, effect NoSchedule).</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment Taint(this NodeChaos chaos, Action<NodeTaintOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new NodeTaintFault(OptionsSnapshot.Take(configure)));
    }
}
