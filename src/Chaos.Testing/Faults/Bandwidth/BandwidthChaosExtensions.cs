using k8s.Models;

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
        var o = new BandwidthOptions();
        configure?.Invoke(o);
        var fault = new NetworkFault(
            "bandwidth",
            "limit the bandwidth of",
            o,
            errors => o.Validate(bitsPerSecond, errors),
            script => script.AddBandwidth(new BandwidthFaultSpec(new BandwidthLimit(bitsPerSecond, o.Burst, o.Latency), o.TrafficToSpec())),
            $"bandwidth limited to {bitsPerSecond} bit/s ({o.Direction.ToString().ToLowerInvariant()})");
        return new ChaosExperiment(new FaultBinding<V1Pod>(chaos, fault));
    }
}
