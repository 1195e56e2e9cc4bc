namespace Chaos.Testing;

/// <summary>The <c>Kill()</c> fault of the DSL.</summary>
public static class PodKillChaosExtensions
{
    /// <summary>Kills the selected pods (DELETE with grace period 0 by default); their owners replace them.</summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Changes to the default <see cref="PodKillOptions"/>.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment Kill(this PodChaos chaos, Action<PodKillOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new PodKillFault(OptionsSnapshot.Take(configure)));
    }
}
