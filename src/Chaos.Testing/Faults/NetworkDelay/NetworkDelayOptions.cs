namespace Chaos.Testing;

/// <summary>Options of the network delay fault (besides the latency given to <c>DelayNetwork</c>).</summary>
public sealed class NetworkDelayOptions : NetworkFaultOptions
{
    /// <summary>Gets or sets the jitter added to the latency (uniform, ±).</summary>
    /// <value>The default value is zero.</value>
    public TimeSpan Jitter { get; set; }

    /// <summary>Gets or sets how much each delay depends on the previous one, 0–100 percent.</summary>
    /// <value>The default value is 0.</value>
    public double Correlation { get; set; }

    internal void Validate(TimeSpan latency, ICollection<string> errors)
    {
        ValidateNetwork("DelayNetwork", errors);
        if (latency <= TimeSpan.Zero || latency > TimeSpan.FromMinutes(1))
        {
            errors.Add($"DelayNetwork.Latency: must be more than 0 and at most 1 minute, was {latency}.");
        }

        if (Jitter < TimeSpan.Zero || Jitter > latency)
        {
            errors.Add($"DelayNetwork.Jitter: must be between 0 and the latency ({latency}), was {Jitter}.");
        }

        if (double.IsNaN(Correlation) || Correlation is < 0 or > 100)
        {
            errors.Add($"DelayNetwork.Correlation: must be between 0 and 100 (percent), was {Correlation}.");
        }
    }
}
