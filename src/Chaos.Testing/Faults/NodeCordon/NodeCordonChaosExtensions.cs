namespace Chaos.Testing;

/// <summary>The <c>Cordon()</c> fault of the DSL.</summary>
public static class NodeCordonChaosExtensions
{
    /// <summary>
    /// Marks the selected nodes unschedulable for the duration (running pods stay; new pods go elsewhere or stay Pending).
    /// Recovery uncordons only the nodes this experiment cordoned.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment Cordon(this NodeChaos chaos)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new NodeCordonFault());
    }
}
