namespace Chaos.Testing;

/// <summary>The <c>StressCpu()</c> fault of the DSL.</summary>
public static class CpuStressChaosExtensions
{
    /// <summary>
    /// Loads the CPU of the selected pods with stress-ng in an ephemeral container (it counts against the pod's cgroup
    /// only where the runtime places ephemeral containers in it), for the duration; stopped early on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Workers, load, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment StressCpu(this PodChaos chaos, Action<CpuStressOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new CpuStressFault(OptionsSnapshot.Take(configure)));
    }
}
