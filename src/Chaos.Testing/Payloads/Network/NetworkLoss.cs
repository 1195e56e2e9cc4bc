namespace Chaos.Testing;

/// <summary>Packet loss: each packet is dropped with probability <paramref name="Percent"/>.</summary>
/// <param name="Percent">0-100.</param>
/// <param name="CorrelationPercent">netem's correlation with the previous packet, 0-100 (the iptables fallback has none).</param>
internal sealed record NetworkLoss(double Percent, double CorrelationPercent = 0);
