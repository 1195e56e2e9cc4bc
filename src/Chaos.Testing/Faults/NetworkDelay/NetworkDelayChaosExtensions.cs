namespace Chaos.Testing;

/// <summary>The <c>DelayNetwork()</c> fault of the DSL.</summary>
public static class NetworkDelayChaosExtensions
{
    /// <summary>
    /// Delays the traffic of the selected pods by <paramref name="latency"/> (netem in an ephemeral container with
    /// NET_ADMIN); the payload removes it when the hold ends, on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="latency">The added latency, more than 0 and at most 1 minute.</param>
    /// <param name="configure">Jitter, correlation, direction, destinations, ports, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment DelayNetwork(this PodChaos chaos, TimeSpan latency, Action<NetworkDelayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new NetworkDelayFault(latency, OptionsSnapshot.Take(configure)));
    }
}
