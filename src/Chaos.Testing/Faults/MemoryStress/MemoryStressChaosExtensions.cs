namespace Chaos.Testing;

/// <summary>The <c>StressMemory()</c> fault of the DSL.</summary>
public static class MemoryStressChaosExtensions
{
    /// <summary>Holds memory with stress-ng workers in an ephemeral container of the selected pods, for the duration.</summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Bytes or percent, workers, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment StressMemory(this PodChaos chaos, Action<MemoryStressOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new MemoryStressFault(OptionsSnapshot.Take(configure)));
    }
}
