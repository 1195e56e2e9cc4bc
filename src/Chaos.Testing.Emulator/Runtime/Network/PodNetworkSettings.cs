namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// The address ranges of a pod network. Null chooses automatically: a free /22 of 10.213.0.0/16 for pods and a free /24
/// of 10.214.0.0/16 for services, free meaning no route or address on the machine and no other live network uses it.
/// </summary>
/// <param name="PodRange">The CIDR pods get their addresses from (the bridge takes the first), e.g. <c>10.213.4.0/22</c>.</param>
/// <param name="ServiceRange">The CIDR ClusterIPs are allocated from, e.g. <c>10.214.4.0/24</c>.</param>
internal sealed record PodNetworkSettings(string? PodRange = null, string? ServiceRange = null);
