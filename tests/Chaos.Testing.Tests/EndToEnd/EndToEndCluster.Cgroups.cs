using System.Globalization;
using Chaos.Testing.Emulator;
using k8s;

namespace Chaos.Testing.Tests.EndToEnd;

/// <content>
/// A pod's cgroup as this machine's kernel keeps it (the process runtime puts each pod at
/// <c>cte-&lt;run&gt;/&lt;node&gt;/&lt;pod uid&gt;</c>, each of its containers, ephemeral ones included, in a child): its CPU
/// time, its memory use and its processes, read from the cgroup files, never from the payload.
/// </content>
internal static partial class EndToEndCluster
{
    private static readonly string[] CgroupRoots = ["/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup"];

    /// <summary>The pod's cgroup, relative to each controller's root.</summary>
    public static async Task<string> PodCgroupAsync(KubernetesEmulator cluster, string ns, string name)
    {
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, ns);
        var cgroup = $"cte-{cluster.ProcessRunId}/{pod.Spec.NodeName}/{pod.Metadata.Uid}";
        CgroupRoots.Any(root => Directory.Exists(Path.Combine(root, cgroup))).Should().BeTrue($"the pod's cgroup {cgroup} exists");
        return cgroup;
    }

    /// <summary>The CPU time the cgroup and its children used (cgroup v1 cpuacct or v2 cpu.stat).</summary>
    public static double CpuSeconds(string cgroup)
    {
        var v1 = $"/sys/fs/cgroup/cpuacct/{cgroup}/cpuacct.usage";
        if (File.Exists(v1))
        {
            return long.Parse(File.ReadAllText(v1).Trim(), CultureInfo.InvariantCulture) / 1e9;
        }

        var v2 = $"/sys/fs/cgroup/{cgroup}/cpu.stat";
        return long.Parse(File.ReadAllLines(v2).Single(l => l.StartsWith("usage_usec ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture) / 1e6;
    }

    /// <summary>The memory charged to the cgroup and its children (v1 memory.usage_in_bytes or v2 memory.current), in bytes.</summary>
    public static long MemoryBytes(string cgroup)
    {
        var v1 = $"/sys/fs/cgroup/memory/{cgroup}/memory.usage_in_bytes";
        return long.Parse(File.ReadAllText(File.Exists(v1) ? v1 : $"/sys/fs/cgroup/{cgroup}/memory.current").Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// How many processes the kernel's OOM killer killed in the cgroup and its children still there: v2's
    /// <c>memory.events</c> counts the subtree; v1's <c>memory.oom_control</c> counts only the cgroup's own, so the
    /// children's are added (read while the cgroup of the killed process still exists).
    /// </summary>
    public static long OomKills(string cgroup)
    {
        static long Count(string file) =>
            ReadLinesOrNone(file).Select(l => l.Split(' ')).Where(f => f is ["oom_kill", _]).Sum(f => long.Parse(f[1], CultureInfo.InvariantCulture));
        var v1 = $"/sys/fs/cgroup/memory/{cgroup}";
        return Directory.Exists(v1)
            ? Directory.EnumerateFiles(v1, "memory.oom_control", SearchOption.AllDirectories).Sum(Count)
            : Count($"/sys/fs/cgroup/{cgroup}/memory.events");
    }

    /// <summary>The processes in the cgroup and its children, each as its PID and its command name (<c>comm</c>).</summary>
    public static IReadOnlyList<(int Pid, string Command)> CgroupProcesses(string cgroup) =>
        [.. CgroupRoots.Select(root => Path.Combine(root, cgroup)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "cgroup.procs", SearchOption.AllDirectories))
            .SelectMany(ReadLinesOrNone).Where(l => l.Length > 0).Distinct()
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
            .Select(pid => (pid, ReadLinesOrNone($"/proc/{pid}/comm").FirstOrDefault() ?? "(gone)"))];

    /// <summary>The largest resident memory (VmRSS) of the cgroup's processes named <paramref name="command"/>, in bytes; 0 when none runs.</summary>
    public static long LargestResidentBytes(string cgroup, string command) =>
        CgroupProcesses(cgroup).Where(p => p.Command == command)
            .Select(p => ReadLinesOrNone($"/proc/{p.Pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024))
            .DefaultIfEmpty(0).Max();

    /// <summary>A file's lines, none when it went meanwhile (a process that ended, a cgroup removed).</summary>
    private static string[] ReadLinesOrNone(string file)
    {
        try
        {
            return File.ReadAllLines(file);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
