namespace Chaos.Testing;

/// <summary>The experiment is invalid. Thrown before any request reaches the cluster, listing every problem at once.</summary>
public sealed class ChaosConfigurationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ChaosConfigurationException"/> class.</summary>
    /// <param name="errors">Every problem, each naming the field, the value, the allowed range and the fix.</param>
    public ChaosConfigurationException(IReadOnlyList<string> errors)
        : base("The chaos experiment is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, (errors ?? []).Select(e => "- " + e)))
    {
        Errors = errors ?? [];
    }

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
