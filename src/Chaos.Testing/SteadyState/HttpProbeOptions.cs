using System.Net;

namespace Chaos.Testing;

/// <summary>What an HTTP steady-state probe expects.</summary>
public sealed class HttpProbeOptions
{
    /// <summary>Gets or sets the expected status code.</summary>
    /// <value>The default value is 200.</value>
    public HttpStatusCode ExpectedStatus { get; set; } = HttpStatusCode.OK;

    /// <summary>Gets or sets the slowest acceptable answer.</summary>
    /// <value>The default value is <see langword="null"/>: any latency below <see cref="Timeout"/>.</value>
    public TimeSpan? MaxLatency { get; set; }

    /// <summary>Gets or sets the smallest share (0 to 1) of successful requests within <see cref="Window"/>.</summary>
    /// <value>The default value is 1: every request in the window must succeed.</value>
    public double MinSuccessRate { get; set; } = 1.0;

    /// <summary>Gets or sets the sliding window over which the success rate is computed.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the time between requests.</summary>
    /// <value>The default value is 250 milliseconds.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets the timeout of one request.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate(string name, ICollection<string> errors)
    {
        if (MaxLatency is { } latency && latency <= TimeSpan.Zero)
        {
            errors.Add($"Probe \"{name}\".MaxLatency: must be more than 0, was {latency}.");
        }

        if (MinSuccessRate is < 0 or > 1 || double.IsNaN(MinSuccessRate))
        {
            errors.Add($"Probe \"{name}\".MinSuccessRate: must be between 0 and 1, was {MinSuccessRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }

        if (Window <= TimeSpan.Zero)
        {
            errors.Add($"Probe \"{name}\".Window: must be more than 0, was {Window}.");
        }

        if (Interval <= TimeSpan.Zero)
        {
            errors.Add($"Probe \"{name}\".Interval: must be more than 0, was {Interval}.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Probe \"{name}\".Timeout: must be more than 0, was {Timeout}.");
        }
    }
}
