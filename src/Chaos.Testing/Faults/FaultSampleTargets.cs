namespace Chaos.Testing;

/// <summary>What a fault's sample is built on: a pod stage, a node stage, and peers (for faults between pods).</summary>
/// <param name="Pods">The pods to act on.</param>
/// <param name="Nodes">The nodes to act on.</param>
/// <param name="Peers">Other pods, e.g. the far side of a partition.</param>
internal sealed record FaultSampleTargets(PodChaos Pods, NodeChaos Nodes, PodTarget Peers);
