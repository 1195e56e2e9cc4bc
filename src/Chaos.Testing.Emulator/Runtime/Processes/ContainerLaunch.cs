using Chaos.Testing.Emulator.Runtime.Mounts;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>Everything needed to run one container as a process on this machine.</summary>
/// <param name="Name">The container's name, for messages.</param>
/// <param name="Command">The argv to run (program and arguments), as <see cref="ImageCatalog.Resolve"/> gives it.</param>
/// <param name="Environment">
/// Exactly the container's environment: nothing of this process is inherited. <c>PATH</c> and <c>HOSTNAME</c> get
/// defaults when absent, as a container runtime gives them.
/// </param>
/// <param name="WorkingDirectory">The working directory, or <see langword="null"/> for <c>/</c>.</param>
/// <param name="NetnsName">The <c>ip netns</c> name to run in, or <see langword="null"/> for the host's network.</param>
/// <param name="TargetPid">
/// For an ephemeral container with <c>targetContainerName</c>: the host PID of the target's PID 1. The process joins
/// the target's network, PID and mount namespaces instead of getting new ones; <paramref name="NetnsName"/> is then unused.
/// </param>
/// <param name="Capabilities">The capabilities the process keeps.</param>
/// <param name="RunAsUser">The user ID, or <see langword="null"/> for root.</param>
/// <param name="RunAsGroup">The group ID, or <see langword="null"/> for root's group.</param>
/// <param name="NoNewPrivileges">Whether the process and its children can never gain privileges (<c>allowPrivilegeEscalation: false</c>).</param>
/// <param name="MemoryLimitBytes">The memory limit, or <see langword="null"/> for none.</param>
/// <param name="CpuLimitMillicores">The CPU limit in millicores, or <see langword="null"/> for none.</param>
/// <param name="CgroupPath">The cgroup, relative to each controller's root, e.g. <c>cte-&lt;run&gt;/&lt;pod-uid&gt;/&lt;container&gt;</c>.</param>
/// <param name="LogPath">The file the container's output is appended to, in the CRI format (<see cref="ContainerLog"/>).</param>
/// <param name="HostPid">
/// Whether the container shares this machine's PID namespace (<c>hostPID: true</c>): it sees every process, and its
/// process is not a PID 1, so a signal it has no handler for ends it.
/// </param>
/// <param name="Mounts">
/// The volumes, bound at their paths in a filesystem of the container's own (<see cref="ContainerRoot"/>); none keeps
/// the machine's filesystem as it is, at no cost. Unused with <paramref name="TargetPid"/>: the target's files are seen.
/// </param>
/// <param name="MountStaging">An empty folder of the run where the filesystem of a container with <paramref name="Mounts"/> is built.</param>
/// <param name="PodLimits">
/// The limits of the pod's cgroup, the parent of <paramref name="CgroupPath"/> (which also holds the pod's ephemeral
/// containers), or <see langword="null"/> to leave it unlimited.
/// </param>
internal sealed record ContainerLaunch(
    string Name,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    string? WorkingDirectory,
    string? NetnsName,
    int? TargetPid,
    CapabilitySet Capabilities,
    long? RunAsUser,
    long? RunAsGroup,
    bool NoNewPrivileges,
    long? MemoryLimitBytes,
    long? CpuLimitMillicores,
    string CgroupPath,
    string LogPath,
    bool HostPid = false,
    IReadOnlyList<VolumeMount>? Mounts = null,
    string? MountStaging = null,
    (long? MemoryBytes, long? CpuMillicores)? PodLimits = null)
{
    /// <summary>Gets whether the container gets a filesystem of its own: it has volumes and joins no target's namespaces.</summary>
    public bool HasOwnRoot => Mounts is { Count: > 0 } && TargetPid is null;
}
