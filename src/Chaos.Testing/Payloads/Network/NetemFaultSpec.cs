namespace Chaos.Testing;

/// <summary>Delay, loss, corruption and/or duplication with netem, optionally only for the traffic <paramref name="Filter"/> matches.</summary>
/// <param name="Effects">What netem does.</param>
/// <param name="Direction">The traffic affected.</param>
/// <param name="Filter">The remote end affected, or null for all traffic.</param>
internal sealed record NetemFaultSpec(NetemEffects Effects, NetworkDirection Direction = NetworkDirection.Egress, NetworkFilter? Filter = null)
    : NetworkFaultSpec(Direction);
