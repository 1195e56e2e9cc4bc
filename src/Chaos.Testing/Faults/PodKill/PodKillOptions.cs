namespace Chaos.Testing;

/// <summary>Options of the pod kill fault.</summary>
public sealed class PodKillOptions
{
    /// <summary>Gets or sets the grace period of the delete.</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>: the pod is killed at once, as a crash would.</value>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets how many pods are deleted at the same time.</summary>
    /// <value>The default value is 16.</value>
    public int MaxParallelism { get; set; } = 16;

    internal void Validate(ICollection<string> errors)
    {
        if (GracePeriod < TimeSpan.Zero || GracePeriod > TimeSpan.FromHours(1))
        {
            errors.Add($"Kill.GracePeriod: must be between 0 and 1 hour, was {GracePeriod}.");
        }
        else if (GracePeriod.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"Kill.GracePeriod: must be whole seconds (the API counts grace in seconds), was {GracePeriod}.");
        }

        if (MaxParallelism is < 1 or > 256)
        {
            errors.Add($"Kill.MaxParallelism: must be between 1 and 256, was {MaxParallelism}.");
        }
    }
}
