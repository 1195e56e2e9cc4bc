namespace Chaos.Testing;

/// <summary>The <c>Fail()</c> fault of the DSL.</summary>
public static class PodFailureChaosExtensions
{
    /// <summary>
    /// Makes the selected pods fail without deleting them: each targeted container's image is swapped for a pause image
    /// for the duration (the container restarts and serves nothing, so readiness fails), and restored exactly afterwards.
    /// The original images are kept in the pod's ledger annotation, so the janitor can restore them after a crash.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Changes to the default <see cref="PodFailureOptions"/>.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment Fail(this PodChaos chaos, Action<PodFailureOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new PodFailureFault(OptionsSnapshot.Take(configure)));
    }
}
