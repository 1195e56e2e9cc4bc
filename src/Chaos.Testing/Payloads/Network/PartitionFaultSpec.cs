namespace Chaos.Testing;

/// <summary>
/// A partition: iptables drops all traffic to (egress) and/or from (ingress) the peers. Peers given as a pod selector
/// are resolved to their IPs by the engine before the payload is built. The rules match addresses on every interface
/// (<see cref="NetworkFaultSpec.Interface"/> is not used).
/// </summary>
/// <param name="Peers">The peers' addresses or CIDRs (at least one), optionally restricted to their ports.</param>
/// <param name="Direction">Egress: to the peers; Ingress: from the peers; Both.</param>
internal sealed record PartitionFaultSpec(NetworkFilter Peers, NetworkDirection Direction = NetworkDirection.Both)
    : NetworkFaultSpec(Direction);
