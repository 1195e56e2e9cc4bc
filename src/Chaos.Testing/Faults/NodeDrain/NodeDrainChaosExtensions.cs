namespace Chaos.Testing;

/// <summary>The <c>Drain()</c> fault of the DSL.</summary>
public static class NodeDrainChaosExtensions
{
    /// <summary>
    /// Drains the selected nodes: cordon, then evict every evictable pod through the Eviction API, honouring
    /// PodDisruptionBudgets (a refused eviction is retried until <see cref="NodeDrainOptions.Timeout"/>). DaemonSet and
    /// mirror pods are skipped, as are pods the safety guards protect. Recovery uncordons the nodes this experiment cordoned;
    /// evicted pods are recreated by their controllers, not by the recovery.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Changes to the default <see cref="NodeDrainOptions"/>.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment Drain(this NodeChaos chaos, Action<NodeDrainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new NodeDrainFault(OptionsSnapshot.Take(configure)));
    }
}
