namespace Chaos.Testing;

/// <summary>Options of the node drain fault.</summary>
public sealed class NodeDrainOptions
{
    /// <summary>
    /// Gets or sets how long evictions may be refused (429, a PodDisruptionBudget allows no disruption yet) before the
    /// drain gives up; the experiment then fails and the node is uncordoned.
    /// </summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the grace period given to evicted pods; null uses each pod's own.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? GracePeriod { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether pods without a controller are evicted too (they are not recreated: like
    /// <c>kubectl drain --force</c>). When false, a node with such pods is refused before anything is changed.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool EvictUnmanagedPods { get; set; }

    internal void Validate(ICollection<string> errors)
    {
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromHours(1))
        {
            errors.Add($"Drain.Timeout: must be more than 0 and at most 1 hour, was {Timeout}.");
        }

        if (GracePeriod is { } grace && (grace < TimeSpan.Zero || grace > TimeSpan.FromHours(1) || grace.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            errors.Add($"Drain.GracePeriod: must be whole seconds between 0 and 1 hour, or null for each pod's own, was {grace}.");
        }
    }
}
