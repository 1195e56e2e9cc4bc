namespace Chaos.Testing.Emulator;

/// <summary>
/// The pace of the simulated kubelet: how long pods take to start, to become Ready and to terminate. Selected by
/// <see cref="KubernetesEmulatorOptions.Timing"/>, and for the test adapters' emulator by
/// <c>CHAOS_EMULATOR_TIMING</c> (<see cref="KubernetesEmulatorOptions.TimingVariable"/>). Deployment rollouts honour
/// <c>maxSurge</c>, <c>maxUnavailable</c> and <c>minReadySeconds</c> under either profile; the profile decides how long
/// each of their steps takes. The process runtime (<see cref="PodRuntime.Processes"/>) runs real processes and real
/// probes, so its pods keep their own pace.
/// </summary>
public enum EmulatorTiming
{
    /// <summary>
    /// Milliseconds: a pod starts after <see cref="KubernetesEmulatorOptions.PodStartDelay"/> (20 ms), is Ready after
    /// <see cref="KubernetesEmulatorOptions.PodReadyDelay"/> (20 ms) and a deleted pod is gone after
    /// <see cref="KubernetesEmulatorOptions.PodTerminationDelay"/> (50 ms, at most its grace period). Probes and signals
    /// are not modelled. For fast tests of what an experiment asks of the API.
    /// </summary>
    Fast = 0,

    /// <summary>
    /// Seconds, as on a real node (the three delay options are not used). Start: 1 s to schedule and create the pod
    /// sandbox; then each image in turn, 5 s to pull one the node does not have yet (a node keeps what it pulled;
    /// pods on it that need the same image wait for that one pull), 1 s to check the registry for an image the node
    /// has when <c>imagePullPolicy</c> is <c>Always</c>, nothing when it is <c>IfNotPresent</c>; then 1 s to start the
    /// containers. Ready: at once without a readiness probe; with one, at the first probe at or after
    /// <c>initialDelaySeconds</c> (probes run every <c>periodSeconds</c>, default 10, from the container's start; a
    /// startupProbe holds them back until it passes) and <c>successThreshold</c> passing probes. Termination: a
    /// <c>preStop</c> hook that sleeps (the <c>sleep</c> action or an exec of <c>sleep N</c>) takes its seconds; then
    /// SIGTERM: a container whose command is a shell, <c>sleep</c> or <c>tail</c> runs as PID 1 without a handler and
    /// ignores it, so it is killed when the grace period ends; any other process (the image's own entrypoint, a
    /// server) handles it and exits after 2 s. The pod is gone when its slowest container is, at most after
    /// <c>terminationGracePeriodSeconds</c> (or the grace period of the delete request).
    /// </summary>
    Realistic = 1,
}
