namespace Chaos.Testing;

/// <summary>The <c>CorruptPackets()</c> fault of the DSL.</summary>
public static class PacketCorruptionChaosExtensions
{
    /// <summary>Corrupts a random bit in <paramref name="percent"/> percent of the selected pods' packets (netem), removed when the hold ends.</summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="percent">More than 0 and at most 100.</param>
    /// <param name="configure">Direction, destinations, ports, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment CorruptPackets(this PodChaos chaos, double percent, Action<PacketCorruptionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new PacketCorruptionFault(percent, OptionsSnapshot.Take(configure)));
    }
}
