namespace Chaos.Testing;

/// <summary>Options of the bandwidth fault (besides the rate given to <c>LimitBandwidth</c>).</summary>
public sealed class BandwidthOptions : NetworkFaultOptions
{
    /// <summary>Gets or sets the token bucket size in bytes (tbf burst); at least the interface MTU.</summary>
    /// <value>The default value is 32 KiB.</value>
    public int Burst { get; set; } = 32 * 1024;

    /// <summary>Gets or sets how long a packet may wait in the queue before it is dropped (tbf latency).</summary>
    /// <value>The default value is 50 ms.</value>
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(50);

    internal void Validate(long bitsPerSecond, ICollection<string> errors)
    {
        ValidateNetwork("LimitBandwidth", errors);
        if (bitsPerSecond < 8_000 || bitsPerSecond > 100_000_000_000)
        {
            errors.Add($"LimitBandwidth.Rate: must be between 8000 bit/s and 100 Gbit/s, was {bitsPerSecond} bit/s.");
        }

        if (Burst is < 1600 or > 64 * 1024 * 1024)
        {
            errors.Add($"LimitBandwidth.Burst: must be between 1600 bytes (about one MTU) and 64 MiB, was {Burst}.");
        }

        if (Latency <= TimeSpan.Zero || Latency > TimeSpan.FromSeconds(10))
        {
            errors.Add($"LimitBandwidth.Latency: must be more than 0 and at most 10 seconds, was {Latency}.");
        }

        if (Destinations.Count > 0 || Ports.Count > 0)
        {
            errors.Add("LimitBandwidth.Destinations/Ports: a bandwidth limit applies to the whole interface; leave them empty.");
        }
    }
}
