namespace Chaos.Testing;

/// <summary>The <c>FillDisk()</c> fault of the DSL.</summary>
public static class DiskFillChaosExtensions
{
    /// <summary>
    /// Fills the filesystem of a pod volume, or of a directory of the target container, to a percentage with one file
    /// (fallocate, dd fallback); the file is deleted when the hold ends, on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Percent, volume or path, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment FillDisk(this PodChaos chaos, Action<DiskFillOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new DiskFillFault(OptionsSnapshot.Take(configure)));
    }
}
