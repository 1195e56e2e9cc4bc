using k8s.Models;

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
        var o = new NetworkDelayOptions();
        configure?.Invoke(o);
        var fault = new NetworkFault(
            "network-delay",
            "delay the network of",
            o,
            errors => o.Validate(latency, errors),
            script => script.AddNetem(new NetemFaultSpec(new NetemEffects { Delay = new NetworkDelay(latency, o.Jitter, o.Correlation) }, o.TrafficToSpec(), o.Filter())),
            $"network delayed by {latency.TotalMilliseconds:0.###} ms{(o.Jitter > TimeSpan.Zero ? $" ± {o.Jitter.TotalMilliseconds:0.###} ms" : string.Empty)} ({o.Direction.ToString().ToLowerInvariant()})");
        return new ChaosExperiment(new FaultBinding<V1Pod>(chaos, fault));
    }
}
