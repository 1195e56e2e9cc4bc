using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>Finding the cgroup hierarchies, and removing what crashed runs left.</summary>
public sealed class CgroupsTests : ContainerTest
{
    [Fact]
    public void Detect_V1_FindsEachControllersHierarchy_AndIgnoresTheUnifiedOne()
    {
        const string Mounts = """
            tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
            cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0
            cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
            """;

        Cgroups.Detect(Mounts).Layout.Should().Be(new CgroupLayout(false, "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct"));
    }

    [Fact]
    public void Detect_V2_FindsTheUnifiedHierarchyWithMemoryAndCpu()
    {
        const string Mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n";
        static string Read(string path) => path == "/sys/fs/cgroup/cgroup.controllers" ? "cpuset cpu io memory hugetlb pids\n" : string.Empty;

        Cgroups.Detect(Mounts, Read).Layout.Should().Be(new CgroupLayout(true, "/sys/fs/cgroup", "/sys/fs/cgroup", "/sys/fs/cgroup"));
    }

    [Fact]
    public void Detect_Hybrid_WithoutV1Memory_AndAV2WithoutControllers_HasNone()
    {
        const string Mounts = "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n";

        Cgroups.Detect(Mounts, _ => "hugetlb\n").Layout.Should().BeNull();
    }

    [Fact]
    public void Detect_NoControllers_SaysSo()
    {
        var (layout, problem) = Cgroups.Detect("proc /proc proc rw 0 0\n");

        layout.Should().BeNull();
        problem.Should().Contain("no cgroup memory and cpu controllers");
    }

    [RootFact]
    public void Detect_ThisMachine_HasMemoryAndCpu()
    {
        var layout = Cgroups.Layout!;

        File.Exists(Path.Combine(layout.Memory, layout.Unified ? "memory.max" : "memory.limit_in_bytes")).Should().BeTrue();
        File.Exists(Path.Combine(layout.Cpu, layout.Unified ? "cpu.max" : "cpu.cfs_quota_us")).Should().BeTrue(
            "on v2 the root has no cpu.max, but this machine's v1 or a v2 child has; see the CPU limit test");
    }

    [RootFact]
    public async Task RemoveLeftovers_RemovesEmptyCgroups_AndKeepsThoseWithAProcess()
    {
        var layout = Cgroups.Layout!;
        var crashed = ContainerCgroup.Create(layout, $"{Run}/crashed-pod/app", null, null);
        var running = Start(Launch("sleep", "600") with { CgroupPath = $"{Run}/live-pod/app" });

        var removed = Cgroups.RemoveLeftovers(Run);

        removed.Should().Be(layout.Roots.Count * 2, "the crashed container's cgroup and its pod's, under each hierarchy");
        crashed.Directories.Should().OnlyContain(d => !Directory.Exists(d));
        running.Cgroup!.Directories.Should().OnlyContain(d => Directory.Exists(d));
        (await Task.WhenAny(running.Exited, Task.Delay(100))).Should().NotBe(running.Exited);
    }

    [Fact]
    public void RemoveLeftovers_TouchesOnlyTheRuntimesCgroups()
    {
        var act = () => Cgroups.RemoveLeftovers("system.slice");

        act.Should().Throw<ArgumentException>().WithMessage("*cte-*");
    }
}
