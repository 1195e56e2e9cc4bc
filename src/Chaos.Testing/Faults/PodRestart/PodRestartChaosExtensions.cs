namespace Chaos.Testing;

/// <summary>The <c>Restart()</c> fault of the DSL.</summary>
public static class PodRestartChaosExtensions
{
    /// <summary>Restarts the selected pods: a graceful delete, then a wait until the owner's replacement is Ready.</summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Changes to the default <see cref="PodRestartOptions"/>.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment Restart(this PodChaos chaos, Action<PodRestartOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new PodRestartFault(OptionsSnapshot.Take(configure)));
    }
}
