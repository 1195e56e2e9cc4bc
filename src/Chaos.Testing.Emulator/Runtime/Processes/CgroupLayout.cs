namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// Where this machine's cgroup controllers are: cgroup v1 (one hierarchy per controller, as here, the memory one at
/// <c>/sys/fs/cgroup/memory</c>) or v2 (one unified hierarchy, usually <c>/sys/fs/cgroup</c>).
/// </summary>
/// <param name="Unified">Whether the controllers are in one cgroup v2 hierarchy.</param>
/// <param name="Memory">The memory controller's root (the unified root on v2).</param>
/// <param name="Cpu">The cpu controller's root (the unified root on v2).</param>
/// <param name="CpuAcct">The cpuacct controller's root on v1 (often the same as <paramref name="Cpu"/>); the unified root on v2.</param>
internal sealed record CgroupLayout(bool Unified, string Memory, string Cpu, string CpuAcct)
{
    /// <summary>Gets the distinct hierarchy roots a container joins.</summary>
    public IReadOnlyList<string> Roots => new[] { Memory, Cpu, CpuAcct }.Distinct(StringComparer.Ordinal).ToList();
}
