namespace Chaos.Testing;

/// <summary>The <c>StressCpu()</c> fault of the DSL for nodes.</summary>
public static class NodeCpuStressChaosExtensions
{
    /// <summary>
    /// Loads the CPU of the selected nodes with stress-ng in a pod pinned to each node (tolerating every taint), for the
    /// duration; the pod is deleted when the hold ends, on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Workers, load, namespace, image.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment StressCpu(this NodeChaos chaos, Action<NodeCpuStressOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new NodeCpuStressFault(OptionsSnapshot.Take(configure)));
    }
}
