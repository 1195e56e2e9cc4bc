namespace Chaos.Testing;

/// <summary>The <c>DnsChaos()</c> fault of the DSL.</summary>
public static class DnsChaosExtensions
{
    /// <summary>
    /// Breaks name resolution of the selected pods: block DNS entirely, or answer NXDOMAIN / a wrong address for names
    /// matching patterns (a DNS proxy in an ephemeral container with NET_ADMIN, the pods' queries redirected to it).
    /// Removed when the hold ends, on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Mode, patterns, address, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment DnsChaos(this PodChaos chaos, Action<DnsChaosOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new DnsChaosFault(OptionsSnapshot.Take(configure)));
    }
}
