namespace Chaos.Testing;

/// <summary>netem delay: every packet waits <paramref name="Latency"/>, varied by up to <paramref name="Jitter"/>.</summary>
/// <param name="Latency">The added delay.</param>
/// <param name="Jitter">The random variation (zero: none).</param>
/// <param name="CorrelationPercent">How much each packet's variation follows the previous one's, 0-100 (used with a jitter only).</param>
internal sealed record NetworkDelay(TimeSpan Latency, TimeSpan Jitter = default, double CorrelationPercent = 0);
