namespace Chaos.Testing;

/// <summary>The <c>LimitBandwidth()</c> fault of the DSL.</summary>
public static class BandwidthChaosExtensions
{
    /// <summary>Limits the selected pods' bandwidth to <paramref name="bitsPerSecond"/> (tbf), removed when the hold ends.</summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="bitsPerSecond">The rate in bit/s, e.g. <c>1_000_000</c> for 1 Mbit/s.</param>
    /// <param name="configure">Burst, latency, direction, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment LimitBandwidth(this PodChaos chaos, long bitsPerSecond, Action<BandwidthOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new BandwidthFault(bitsPerSecond, OptionsSnapshot.Take(configure)));
    }
}
