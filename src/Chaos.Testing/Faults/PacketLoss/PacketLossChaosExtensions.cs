namespace Chaos.Testing;

/// <summary>The <c>LosePackets()</c> fault of the DSL.</summary>
public static class PacketLossChaosExtensions
{
    /// <summary>
    /// Drops <paramref name="percent"/> percent of the selected pods' packets (netem; where the kernel lacks netem, iptables
    /// <c>statistic</c>), removed when the hold ends, on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="percent">More than 0 and at most 100.</param>
    /// <param name="configure">Correlation, direction, destinations, ports, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment LosePackets(this PodChaos chaos, double percent, Action<PacketLossOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new PacketLossFault(percent, OptionsSnapshot.Take(configure)));
    }
}
