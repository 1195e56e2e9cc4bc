namespace Chaos.Testing;

/// <summary>A bandwidth limit with tbf, optionally only for the traffic <paramref name="Filter"/> matches.</summary>
/// <param name="Limit">The token bucket.</param>
/// <param name="Direction">The traffic affected (each direction gets its own bucket).</param>
/// <param name="Filter">The remote end affected, or null for all traffic.</param>
internal sealed record BandwidthFaultSpec(BandwidthLimit Limit, NetworkDirection Direction = NetworkDirection.Egress, NetworkFilter? Filter = null)
    : NetworkFaultSpec(Direction);
