namespace Chaos.Testing;

/// <summary>
/// A token bucket (<c>tc ... tbf</c>): <paramref name="RateBitsPerSecond"/> sustained, bursts of up to
/// <paramref name="BurstBytes"/>, and a queue bounded by exactly one of <paramref name="Latency"/> (how long a
/// packet may wait) or <paramref name="LimitBytes"/>.
/// </summary>
/// <param name="RateBitsPerSecond">The rate, in bits per second.</param>
/// <param name="BurstBytes">The bucket size in bytes; below the MTU (about 1514 bytes) full-size packets never pass.</param>
/// <param name="Latency">The longest a packet may wait in the queue, or null when <paramref name="LimitBytes"/> is set.</param>
/// <param name="LimitBytes">The queue size in bytes, or null when <paramref name="Latency"/> is set.</param>
internal sealed record BandwidthLimit(long RateBitsPerSecond, int BurstBytes, TimeSpan? Latency = null, int? LimitBytes = null);
