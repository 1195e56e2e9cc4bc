namespace Chaos.Testing;

/// <summary>What a netem qdisc does to the matched packets; at least one effect is set, they combine.</summary>
internal sealed record NetemEffects
{
    /// <summary>Gets the delay, or null.</summary>
    public NetworkDelay? Delay { get; init; }

    /// <summary>Gets the loss, or null. Loss alone falls back to iptables <c>statistic</c> where netem is missing.</summary>
    public NetworkLoss? Loss { get; init; }

    /// <summary>Gets the percentage of packets with a corrupted bit (0-100), or null.</summary>
    public double? CorruptionPercent { get; init; }

    /// <summary>Gets the percentage of packets sent twice (0-100), or null.</summary>
    public double? DuplicationPercent { get; init; }

    /// <summary>Gets a value indicating whether loss is the only effect (so iptables can stand in for netem).</summary>
    public bool IsLossOnly => Loss is not null && Delay is null && CorruptionPercent is null && DuplicationPercent is null;
}
