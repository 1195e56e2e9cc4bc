namespace Chaos.Testing.Emulator;

/// <summary>How the emulator's kubelet runs pods.</summary>
public enum PodRuntime
{
    /// <summary>
    /// Nothing runs: pods start and become ready after the configured delays, and payloads are acted out. Works
    /// everywhere and is the fastest; it proves what the engine asks of the API, not what a payload does.
    /// </summary>
    Simulated = 0,

    /// <summary>
    /// Pods are real processes (Linux, root): a network namespace and IP per pod, containers in their own PID namespace,
    /// images mapped to local programs, real probes, restarts, signals, logs, cgroup limits, Service IPs and cluster DNS.
    /// A payload runs its real script and really changes the pod. See <see cref="KubernetesEmulatorOptions.Processes"/>.
    /// </summary>
    Processes = 1,
}
