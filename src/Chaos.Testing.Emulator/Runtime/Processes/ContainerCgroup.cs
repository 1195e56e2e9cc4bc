using System.Globalization;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// The cgroup of one container, under each hierarchy (memory, cpu, cpuacct on v1; the one on v2): its limits, the
/// files the launcher writes itself into (before the container runs), its OOM kills and CPU usage, and its removal.
/// </summary>
internal sealed class ContainerCgroup
{
    private const long CpuPeriodMicroseconds = 100_000;
    private static readonly string[] Controllers = ["memory", "cpu"];
    private readonly CgroupLayout _layout;
    private readonly string _relative;

    private ContainerCgroup(CgroupLayout layout, string relative)
    {
        _layout = layout;
        _relative = relative;
        Directories = layout.Roots.Select(root => Path.Combine(root, relative)).ToList();
    }

    /// <summary>Gets the cgroup's directory under each hierarchy.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>Gets the <c>cgroup.procs</c> files a process writes <c>0</c> into to join the cgroup.</summary>
    public IReadOnlyList<string> ProcsFiles => Directories.Select(d => Path.Combine(d, "cgroup.procs")).ToList();

    private string MemoryDirectory => Path.Combine(_layout.Memory, _relative);

    /// <summary>
    /// Creates the cgroup (and its parents) under each hierarchy and sets its limits, and its parent's (the pod's, which
    /// also holds the pod's ephemeral containers); a missing limit is none.
    /// </summary>
    /// <param name="layout">The hierarchies.</param>
    /// <param name="relativePath">The path under each root, e.g. <c>cte-run/pod-uid/app</c>.</param>
    /// <param name="memoryLimitBytes">The memory limit, or <see langword="null"/>.</param>
    /// <param name="cpuMillicores">The CPU limit, or <see langword="null"/>.</param>
    /// <param name="parentLimits">The limits of the parent cgroup (the pod's), or <see langword="null"/> to leave it as it is.</param>
    /// <returns>The cgroup.</returns>
    /// <exception cref="IOException">A directory or limit could not be written (the message says which).</exception>
    public static ContainerCgroup Create(CgroupLayout layout, string relativePath, long? memoryLimitBytes, long? cpuMillicores, (long? MemoryBytes, long? CpuMillicores)? parentLimits = null)
    {
        var segments = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || Path.IsPathRooted(relativePath) || segments.Any(s => s is "." or ".."))
        {
            throw new ArgumentException($"the cgroup path must be relative and name a directory, was \"{relativePath}\"", nameof(relativePath));
        }

        var cgroup = new ContainerCgroup(layout, string.Join('/', segments));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                foreach (var root in layout.Roots)
                {
                    MakeDirectories(layout, root, segments);
                }

                break;
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
                // Another container of the pod removed the parent it no longer needed, between our mkdirs: again.
            }
        }

        if (parentLimits is { } parent && segments.Length > 1)
        {
            // The same values at every start of a container of the pod: its spec's limits do not change.
            SetLimits(layout, string.Join('/', segments[..^1]), parent.MemoryBytes, parent.CpuMillicores);
        }

        SetLimits(layout, cgroup._relative, memoryLimitBytes, cpuMillicores);
        return cgroup;
    }

    /// <summary>How many times the OOM killer has killed a process of the cgroup (<c>oom_kill</c>).</summary>
    /// <returns>The count; 0 when the kernel does not say.</returns>
    public long OomKills() =>
        Counter(Path.Combine(MemoryDirectory, _layout.Unified ? "memory.events" : "memory.oom_control"), "oom_kill");

    /// <summary>The CPU time the cgroup's processes have used.</summary>
    /// <returns>The time, or <see langword="null"/> when the kernel does not say.</returns>
    public TimeSpan? CpuUsage()
    {
        if (_layout.Unified)
        {
            var file = Path.Combine(_layout.Cpu, _relative, "cpu.stat");
            return File.Exists(file) ? TimeSpan.FromTicks(Counter(file, "usage_usec") * 10) : null;
        }

        var text = Cgroups.ReadOrEmpty(Path.Combine(_layout.CpuAcct, _relative, "cpuacct.usage")).Trim();
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var nanoseconds) ? TimeSpan.FromTicks(nanoseconds / 100) : null;
    }

    /// <summary>The processes in the cgroup, under any hierarchy.</summary>
    /// <returns>Their PIDs.</returns>
    public IReadOnlyList<int> Processes() =>
        ProcsFiles.SelectMany(f => Cgroups.ReadOrEmpty(f).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).Distinct().ToList();

    /// <summary>SIGKILLs every process in the cgroup, again while new ones appear (a fork racing the kill).</summary>
    public void KillAll()
    {
        for (var round = 0; round < 20 && Processes() is { Count: > 0 } left; round++)
        {
            foreach (var pid in left)
            {
                ProcessTree.Signal(pid, ProcessTree.SigKill);
            }

            Thread.Yield();
        }
    }

    /// <summary>
    /// Removes the cgroup under each hierarchy, and its parents that hold nothing else any more (another container
    /// of the pod keeps them). A cgroup still holding a process, or a zombie not yet reaped, stays.
    /// </summary>
    /// <returns>Whether the cgroup itself is gone everywhere.</returns>
    public bool Remove()
    {
        var gone = true;
        var segments = _relative.Split('/');
        foreach (var root in _layout.Roots)
        {
            for (var depth = segments.Length; depth > 0; depth--)
            {
                if (!TryRemove(Path.Combine(root, string.Join('/', segments[..depth]))))
                {
                    gone &= depth < segments.Length;
                    break;
                }
            }
        }

        return gone;
    }

    private static bool TryRemove(string directory)
    {
        try
        {
            // A cgroup directory holds only the kernel's control files: rmdir removes it, never a file of anyone's.
            Directory.Delete(directory);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false; // It still has a process or a child cgroup.
        }
    }

    private static void MakeDirectories(CgroupLayout layout, string root, string[] segments)
    {
        var directory = root;
        foreach (var segment in segments)
        {
            if (layout.Unified)
            {
                // v2 hands a controller to children only when the parent enables it for them.
                EnableControllers(directory);
            }

            directory = Path.Combine(directory, segment);
            Directory.CreateDirectory(directory);
        }
    }

    private static void EnableControllers(string directory)
    {
        var available = Cgroups.ReadOrEmpty(Path.Combine(directory, "cgroup.controllers")).Split(' ', '\n');
        var enabled = Cgroups.ReadOrEmpty(Path.Combine(directory, "cgroup.subtree_control")).Split(' ', '\n');
        var wanted = Controllers.Where(c => available.Contains(c) && !enabled.Contains(c)).Select(c => "+" + c).ToList();
        if (wanted.Count > 0)
        {
            Write(Path.Combine(directory, "cgroup.subtree_control"), string.Join(' ', wanted));
        }
    }

    private static long Counter(string file, string name) =>
        Cgroups.ReadOrEmpty(file).Split('\n').Select(line => line.Split(' ')).Where(f => f.Length == 2 && f[0] == name)
            .Select(f => long.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0).FirstOrDefault();

    private static void Write(string file, string value)
    {
        try
        {
            File.WriteAllText(file, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write \"{value}\" to {file}: {ex.Message}", ex);
        }
    }

    private static void TryWrite(string file, string value)
    {
        if (File.Exists(file))
        {
            try
            {
                File.WriteAllText(file, value);
            }
            catch (IOException)
            {
                // Best effort: e.g. no swap accounting. The limit itself was written.
            }
        }
    }

    private static void SetLimits(CgroupLayout layout, string relative, long? memoryLimitBytes, long? cpuMillicores)
    {
        var memory = Path.Combine(layout.Memory, relative);
        var cpu = Path.Combine(layout.Cpu, relative);
        var quota = cpuMillicores is { } m ? Math.Max(1000, m * CpuPeriodMicroseconds / 1000) : (long?)null;
        if (layout.Unified)
        {
            Write(Path.Combine(memory, "memory.max"), memoryLimitBytes?.ToString(CultureInfo.InvariantCulture) ?? "max");
            TryWrite(Path.Combine(memory, "memory.swap.max"), "0");
            Write(Path.Combine(cpu, "cpu.max"), $"{quota?.ToString(CultureInfo.InvariantCulture) ?? "max"} {CpuPeriodMicroseconds}");
            return;
        }

        // memory.memsw (memory + swap) may never be below memory: raise it first, lower it last.
        var bytes = memoryLimitBytes?.ToString(CultureInfo.InvariantCulture) ?? "-1";
        TryWrite(Path.Combine(memory, "memory.memsw.limit_in_bytes"), "-1");
        Write(Path.Combine(memory, "memory.limit_in_bytes"), bytes);
        TryWrite(Path.Combine(memory, "memory.memsw.limit_in_bytes"), bytes);
        TryWrite(Path.Combine(memory, "memory.swappiness"), "0");
        Write(Path.Combine(cpu, "cpu.cfs_period_us"), CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
        Write(Path.Combine(cpu, "cpu.cfs_quota_us"), quota?.ToString(CultureInfo.InvariantCulture) ?? "-1");
    }
}
