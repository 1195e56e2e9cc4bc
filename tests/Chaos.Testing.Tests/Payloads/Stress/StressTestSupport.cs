using System.Globalization;
using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.Stress;

/// <summary>One process as /proc shows it (read by the tests, independently of the payload's own pgrep).</summary>
public sealed record ProcInfo(int Pid, int PPid, char State, string Comm, IReadOnlyList<string> Argv, long CpuTicks, long RssAnonKb)
{
    public bool Alive => State is not 'Z' and not 'X';
}

public static class Procs
{
    private static readonly Lazy<int> ClockTicks = new(() => int.Parse(PayloadEnvironment.Run("getconf", "CLK_TCK").Trim(), CultureInfo.InvariantCulture));

    /// <summary>Gets the clock ticks per second of utime/stime.</summary>
    public static int TicksPerSecond => ClockTicks.Value;

    public static ProcInfo? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var comm = stat[(stat.IndexOf('(') + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var rss = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
            var rssKb = rss is null ? 0 : long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return new ProcInfo(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0], comm, argv, ticks, rssKb);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;   // gone meanwhile
        }
    }

    public static IReadOnlyList<ProcInfo> All() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(Read)
            .OfType<ProcInfo>()
            .ToList();

    /// <summary>The living descendants of <paramref name="root"/>.</summary>
    public static IReadOnlyList<ProcInfo> Descendants(int root)
    {
        var all = All();
        var found = new List<ProcInfo>();
        var frontier = new HashSet<int> { root };
        while (frontier.Count > 0)
        {
            var next = all.Where(p => frontier.Contains(p.PPid) && p.Alive).ToList();
            found.AddRange(next);
            frontier = next.Select(p => p.Pid).ToHashSet();
        }

        return found;
    }

    /// <summary>The living stress-ng processes of the payload started by <paramref name="payloadPid"/> (by ancestry, not by tag).</summary>
    public static IReadOnlyList<ProcInfo> StressNgUnder(int payloadPid) =>
        Descendants(payloadPid).Where(p => p.Comm.StartsWith("stress-ng", StringComparison.Ordinal)).ToList();

    /// <summary>The living processes whose command line carries the tag directory of <paramref name="tag"/>.</summary>
    public static IReadOnlyList<ProcInfo> Tagged(string tag) =>
        All().Where(p => p.Alive && p.Argv.Contains(StressPayloads.TagDirectory(tag))).ToList();

    /// <summary>Which of <paramref name="pids"/> are still alive (not zombies).</summary>
    public static IReadOnlyList<ProcInfo> StillAlive(IEnumerable<int> pids) =>
        pids.Select(Read).OfType<ProcInfo>().Where(p => p.Alive).ToList();

    /// <summary>CPU use of <paramref name="pids"/> over <paramref name="window"/>, in percent of one CPU.</summary>
    public static async Task<double> CpuPercentAsync(IReadOnlyCollection<int> pids, TimeSpan window)
    {
        long Ticks() => pids.Select(Read).OfType<ProcInfo>().Sum(p => p.CpuTicks);
        var before = Ticks();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(window);
        var after = Ticks();
        return (after - before) * 100.0 / TicksPerSecond / clock.Elapsed.TotalSeconds;
    }

    public static async Task WaitGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var list = pids.ToList();
        await Eventually.TrueAsync(() => Task.FromResult(StillAlive(list).Count == 0), "the processes to end", timeout);
    }

    /// <summary>Kills what a failed test left behind.</summary>
    public static void KillAll(IEnumerable<int> pids)
    {
        foreach (var p in StillAlive(pids))
        {
            try
            {
                PayloadEnvironment.Run("kill", "-KILL", p.Pid.ToString(CultureInfo.InvariantCulture));
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
    }

    /// <summary>Kills the stressors of <paramref name="tag"/> and removes its tag directory (left when a payload was killed hard).</summary>
    public static void KillTagged(string tag)
    {
        KillAll(Tagged(tag).Select(p => p.Pid));
        if (Directory.Exists(StressPayloads.TagDirectory(tag)))
        {
            Directory.Delete(StressPayloads.TagDirectory(tag), recursive: true);
        }
    }
}

/// <summary>A tmpfs of a given size mounted on a fresh directory (whose name has a quote and a space); unmounted on dispose.</summary>
public sealed class Tmpfs : IDisposable
{
    private readonly string _parent;

    public Tmpfs(string size = "64m")
    {
        _parent = Directory.CreateTempSubdirectory("chaos-fill-").FullName;
        Path = System.IO.Path.Combine(_parent, "it's a volume");
        Directory.CreateDirectory(Path);
        PayloadEnvironment.Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", Path);
    }

    public string Path { get; }

    /// <summary>Use in percent, as df counts it: used / (used + available), from <c>df -P -B1</c>.</summary>
    public double UsePercent() => DiskUse.Percent(PayloadEnvironment.Run("df", "-P", "-B1", Path));

    public void Dispose()
    {
        try
        {
            PayloadEnvironment.Run("umount", "-l", Path);
        }
        catch (InvalidOperationException)
        {
            // not mounted
        }

        Directory.Delete(_parent, recursive: true);
    }
}

public static class DiskUse
{
    /// <summary>The use in percent of the last line of <c>df -P -B1</c> output.</summary>
    public static double Percent(string dfOutput)
    {
        // "Filesystem 1-blocks Used Available Capacity Mounted on"; the name may not contain spaces here (tmpfs).
        var fields = dfOutput.Trim().Split('\n')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var used = double.Parse(fields[2], CultureInfo.InvariantCulture);
        var available = double.Parse(fields[3], CultureInfo.InvariantCulture);
        return used * 100 / (used + available);
    }
}

/// <summary>
/// A PID namespace whose init runs <c>sh -c initScript init args...</c>; its parent (outside the namespace) reports
/// how init ended: <c>init exited N</c> (128 + signal when a signal killed it).
/// </summary>
public sealed class PidNamespace : IAsyncDisposable
{
    private readonly PayloadProcess _wrapper;

    private PidNamespace(PayloadProcess wrapper, int initPid)
    {
        _wrapper = wrapper;
        InitPid = initPid;
    }

    /// <summary>Gets the host PID of the namespace's init.</summary>
    public int InitPid { get; }

    /// <summary>Gets whether init still runs.</summary>
    public bool InitAlive => Procs.Read(InitPid) is { Alive: true };

    /// <summary>The mount+proc preamble of an init that sees its own /proc (for payloads entered with nsenter -m).</summary>
    public static string OwnProc(string then) =>
        $"exec unshare --mount sh -c {Shell.Quote("mount -t proc proc /proc && " + then)}";

    public static async Task<PidNamespace> StartAsync(string initScript, params string[] args)
    {
        var wrapper = PayloadProcess.Start(
            ["unshare", "--pid", "sh", "-c", "sh -c \"$@\" & echo \"init $!\"; wait $!; echo \"init exited $?\"", "wrapper", initScript, "init", .. args]);
        var pid = 0;
        await Eventually.TrueAsync(
            () =>
            {
                var line = wrapper.Output.Split('\n').FirstOrDefault(l => l.StartsWith("init ", StringComparison.Ordinal));
                return Task.FromResult(line is not null && int.TryParse(line[5..].Trim(), CultureInfo.InvariantCulture, out pid));
            },
            "the namespace's init");
        return new PidNamespace(wrapper, pid);
    }

    /// <summary>Waits until init's status satisfies <paramref name="ready"/> (e.g. it exec'd sleep, it installed a handler).</summary>
    public Task WaitReadyAsync(Func<string, string, bool> ready) =>
        Eventually.TrueAsync(
            () =>
            {
                try
                {
                    var comm = File.ReadAllText($"/proc/{InitPid}/comm").Trim();
                    var status = File.ReadAllText($"/proc/{InitPid}/status");
                    return Task.FromResult(ready(comm, status));
                }
                catch (IOException)
                {
                    return Task.FromResult(false);
                }
            },
            "init to be ready");

    /// <summary>Waits for init's end as its parent saw it: the exit status (128 + signal for a signal).</summary>
    public async Task<int> WaitInitExitAsync(TimeSpan? timeout = null)
    {
        await _wrapper.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(15));
        var line = _wrapper.Output.Split('\n').Single(l => l.StartsWith("init exited ", StringComparison.Ordinal));
        return int.Parse(line["init exited ".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The command that runs <paramref name="command"/> inside this namespace (PID and mount), as a target's sidecar would.</summary>
    public IList<string> Inside(IList<string> command) =>
        ["nsenter", "-t", InitPid.ToString(CultureInfo.InvariantCulture), "-p", "-m", .. command];

    public async ValueTask DisposeAsync()
    {
        if (InitAlive)
        {
            // From the host (an ancestor namespace), SIGKILL does reach the namespace's init.
            Procs.KillAll([InitPid]);
        }

        await _wrapper.DisposeAsync();
    }
}

/// <summary>A writable cgroup directory, named like a container ID, where processes can be moved; removed on dispose.</summary>
public sealed class TestCgroup : IDisposable
{
    private TestCgroup(string path, string id)
    {
        Path = path;
        Id = id;
    }

    public string Path { get; }

    /// <summary>Gets the directory name, which stands for a container ID in <c>/proc/&lt;pid&gt;/cgroup</c>.</summary>
    public string Id { get; }

    public string Procs => System.IO.Path.Combine(Path, "cgroup.procs");

    /// <summary>A hierarchy where this user can create cgroups, or null.</summary>
    public static string? WritableHierarchy()
    {
        foreach (var root in new[] { "/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids", "/sys/fs/cgroup" })
        {
            if (!File.Exists(System.IO.Path.Combine(root, "cgroup.procs")))
            {
                continue;
            }

            var probe = System.IO.Path.Combine(root, $"chaos-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                Directory.CreateDirectory(probe);
                Directory.Delete(probe);
                return root;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // read-only or not delegated: try the next
            }
        }

        return null;
    }

    public static TestCgroup Create()
    {
        var root = WritableHierarchy() ?? throw new InvalidOperationException("no writable cgroup hierarchy");
        var id = "chaostest" + Guid.NewGuid().ToString("N");
        var path = System.IO.Path.Combine(root, id);
        Directory.CreateDirectory(path);
        return new TestCgroup(path, id);
    }

    public void Dispose()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                Directory.Delete(Path);   // rmdir: cgroup files cannot be deleted one by one
                return;
            }
            catch (IOException) when (attempt < 49)
            {
                Thread.Sleep(100);       // the last processes are still being reaped
            }
        }
    }
}

/// <summary>A payload fact that also needs a writable cgroup hierarchy (to stand for a container's cgroup).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CgroupPayloadFactAttribute : FactAttribute
{
    public CgroupPayloadFactAttribute(params string[] tools)
    {
        Skip = PayloadEnvironment.WhyUnavailable(tools)
            ?? (TestCgroup.WritableHierarchy() is null ? "needs a writable cgroup hierarchy to stand for a container's cgroup (/sys/fs/cgroup is read-only here)" : null);
    }
}

/// <summary>Tests that measure CPU time and memory run alone: parallel tests would steal the CPU they measure.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressMeasurements
{
    public const string Name = "stress measurements";
}
