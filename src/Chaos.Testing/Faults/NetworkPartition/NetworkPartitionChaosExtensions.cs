namespace Chaos.Testing;

/// <summary>The <c>Partition()</c> fault of the DSL.</summary>
public static class NetworkPartitionChaosExtensions
{
    /// <summary>
    /// Cuts the selected pods off from their peers (pods resolved to IPs when injected, or CIDRs): iptables DROP rules
    /// tagged with the experiment id, removed when the hold ends, on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">The peers (required), the direction, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    /// <example><code>Experiment.On(cart).Partition(o => o.Peers = Pods.In("shop").WithLabel("app", "db"))</code></example>
    public static ChaosExperiment Partition(this PodChaos chaos, Action<NetworkPartitionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        ArgumentNullException.ThrowIfNull(configure);
        return chaos.With(new NetworkPartitionFault(OptionsSnapshot.Take(configure)));
    }
}
