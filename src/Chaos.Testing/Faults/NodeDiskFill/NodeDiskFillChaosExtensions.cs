namespace Chaos.Testing;

/// <summary>The <c>FillDisk()</c> fault of the DSL for nodes.</summary>
public static class NodeDiskFillChaosExtensions
{
    /// <summary>
    /// Fills the filesystem of a node directory to a percentage with one file written by a pod pinned to each node; the
    /// file is deleted when the hold ends, and by a cleanup pod on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Path, percent, namespace, image.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment FillDisk(this NodeChaos chaos, Action<NodeDiskFillOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new NodeDiskFillFault(OptionsSnapshot.Take(configure)));
    }
}
