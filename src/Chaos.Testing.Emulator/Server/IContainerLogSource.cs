namespace Chaos.Testing.Emulator.Server;

/// <summary>
/// Where <c>pods/log</c> finds what a container really printed, when a runtime runs it (the process runtime); the
/// simulated kubelet has none.
/// </summary>
internal interface IContainerLogSource
{
    /// <summary>
    /// The log of a container's current run, or of its previous one; null when this runtime does not run the pod.
    /// Throws an <see cref="Api.ApiException"/> (400) when there is no previous run.
    /// </summary>
    ContainerLogFile? Find(string podUid, string podName, string container, bool previous);
}

/// <summary>A container's log file and, while that run goes on, the task that completes when it ends (for <c>follow</c>).</summary>
internal sealed record ContainerLogFile(string Path, Task? Running);
