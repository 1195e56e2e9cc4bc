namespace Chaos.Testing;

/// <summary>The <c>KillContainer()</c> fault of the DSL.</summary>
public static class ContainerKillChaosExtensions
{
    /// <summary>
    /// Sends a signal (TERM by default) to the main process of a container of the selected pods from an ephemeral
    /// container sharing its PID namespace; the kubelet restarts the container per its restart policy. One-shot: nothing
    /// to remove afterwards. The payload fails clearly when the process does not handle the signal.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Signal, container, image.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment KillContainer(this PodChaos chaos, Action<ContainerKillOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new ContainerKillFault(OptionsSnapshot.Take(configure)));
    }
}
