namespace Chaos.Testing;

/// <summary>Options of the pod restart fault.</summary>
public sealed class PodRestartOptions
{
    /// <summary>Gets or sets the grace period of the delete.</summary>
    /// <value>The default value is <see langword="null"/>: the pod's own <c>terminationGracePeriodSeconds</c>.</value>
    public TimeSpan? GracePeriod { get; set; }

    /// <summary>Gets or sets how long to wait for the owner's replacement to be Ready before the fault fails.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan ReplacementTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many pods are restarted at the same time.</summary>
    /// <value>The default value is 16.</value>
    public int MaxParallelism { get; set; } = 16;

    internal void Validate(ICollection<string> errors)
    {
        if (GracePeriod is { } grace && (grace < TimeSpan.Zero || grace > TimeSpan.FromHours(1)))
        {
            errors.Add($"Restart.GracePeriod: must be between 0 and 1 hour (or null for the pod's own), was {grace}.");
        }
        else if (GracePeriod is { } whole && whole.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"Restart.GracePeriod: must be whole seconds (the API counts grace in seconds), was {whole}.");
        }

        if (ReplacementTimeout <= TimeSpan.Zero || ReplacementTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"Restart.ReplacementTimeout: must be more than 0 and at most 1 hour, was {ReplacementTimeout}.");
        }

        if (MaxParallelism is < 1 or > 256)
        {
            errors.Add($"Restart.MaxParallelism: must be between 1 and 256, was {MaxParallelism}.");
        }
    }
}
