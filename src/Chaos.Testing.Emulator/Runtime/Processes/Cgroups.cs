using System.Globalization;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>Finds the cgroup hierarchies and removes cgroups a crashed run left behind.</summary>
internal static class Cgroups
{
    /// <summary>The prefix of every cgroup the process runtime makes at a hierarchy's root.</summary>
    internal const string Prefix = "cte-";

    private static readonly Lazy<(CgroupLayout? Layout, string? Problem)> Detected = new(() => Detect(ReadOrEmpty("/proc/self/mounts")));

    /// <summary>Gets this machine's layout, or <see langword="null"/> when it has no memory and cpu controllers (see <see cref="Problem"/>).</summary>
    public static CgroupLayout? Layout => Detected.Value.Layout;

    /// <summary>Gets why there is no layout, or <see langword="null"/>.</summary>
    public static string? Problem => Detected.Value.Problem;

    /// <summary>
    /// The layout the mount table shows: cgroup v1 when its memory and cpu controllers are mounted (a v2 hierarchy
    /// beside them, as on hybrid systems, holds no controller then); else the v2 hierarchy that has both.
    /// </summary>
    /// <param name="mounts">The text of <c>/proc/self/mounts</c>.</param>
    /// <param name="read">Reads a file (a v2 hierarchy's <c>cgroup.controllers</c>); this machine's files when <see langword="null"/>.</param>
    /// <returns>The layout, or why there is none.</returns>
    internal static (CgroupLayout? Layout, string? Problem) Detect(string mounts, Func<string, string>? read = null)
    {
        read ??= ReadOrEmpty;
        var entries = mounts.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(f => f.Length >= 4)
            .Select(f => (Path: f[1], Type: f[2], Options: f[3].Split(',')))
            .ToList();
        string? V1(string controller) => entries.FirstOrDefault(e => e.Type == "cgroup" && e.Options.Contains(controller)).Path;
        if (V1("memory") is { } memory && V1("cpu") is { } cpu)
        {
            return (new CgroupLayout(false, memory, cpu, V1("cpuacct") ?? cpu), null);
        }

        var unified = entries.Where(e => e.Type == "cgroup2").Select(e => e.Path)
            .OrderBy(p => p == "/sys/fs/cgroup" ? 0 : 1)
            .FirstOrDefault(p => read(Path.Combine(p, "cgroup.controllers")).Split(' ', '\n') is var c && c.Contains("memory") && c.Contains("cpu"));
        return unified is not null
            ? (new CgroupLayout(true, unified, unified, unified), null)
            : (null, "no cgroup memory and cpu controllers are mounted (neither cgroup v1 nor v2 in /proc/self/mounts)");
    }

    /// <summary>
    /// Removes the cgroups under the hierarchy roots whose top directory starts with <paramref name="prefix"/> and
    /// that hold no process: what a run that crashed left. A cgroup with a live process stays, with its parents.
    /// </summary>
    /// <param name="prefix">A prefix starting with <c>cte-</c>: <c>cte-</c> for every run, <c>cte-&lt;run&gt;</c> for one.</param>
    /// <returns>How many cgroup directories were removed.</returns>
    public static int RemoveLeftovers(string prefix)
    {
        if (!prefix.StartsWith(Prefix, StringComparison.Ordinal) || prefix.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"the prefix must start with \"{Prefix}\" and name no subdirectory, was \"{prefix}\"", nameof(prefix));
        }

        if (Layout is not { } layout)
        {
            return 0;
        }

        var removed = 0;
        foreach (var root in layout.Roots)
        {
            foreach (var top in Directory.EnumerateDirectories(root, prefix + "*"))
            {
                removed += RemoveEmpty(top);
            }
        }

        return removed;
    }

    /// <summary>
    /// Ends what dead runs left: every process in a <c>cte-&lt;run&gt;</c> cgroup tree whose run is not live is
    /// SIGKILLed (containers outlive a test process that was killed), then the emptied cgroups are removed.
    /// </summary>
    /// <param name="isLive">Whether the run with this id is still live (its owner process runs).</param>
    /// <returns>How many processes were killed.</returns>
    public static int RemoveDeadRuns(Func<string, bool> isLive)
    {
        if (Layout is not { } layout)
        {
            return 0;
        }

        // Only a run's own cgroup (cte- and a six-character run id) is judged; anything else with the prefix is not a run's.
        var dead = layout.Roots.SelectMany(root => Directory.EnumerateDirectories(root, Prefix + "*"))
            .Where(top => Path.GetFileName(top)[Prefix.Length..] is { Length: 6 } run && run.All(char.IsAsciiLetterOrDigit) && !isLive(run)).ToList();
        var killed = new HashSet<int>();
        for (var round = 0; round < 50; round++)
        {
            var left = dead.SelectMany(ProcsFiles)
                .SelectMany(f => ReadOrEmpty(f).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).Distinct().ToList();
            if (left.Count == 0)
            {
                break;
            }

            foreach (var pid in left)
            {
                ProcessTree.Signal(pid, ProcessTree.SigKill);
                killed.Add(pid);
            }

            // A killed process stays listed until its parent (init, for orphans) reaps it: wait a moment (this runs once,
            // at start, before anything of this run exists).
            using var pause = new ManualResetEventSlim();
            pause.Wait(TimeSpan.FromMilliseconds(20));
        }

        foreach (var top in dead)
        {
            RemoveEmpty(top);
        }

        return killed.Count;
    }

    private static IEnumerable<string> ProcsFiles(string top)
    {
        try
        {
            return Directory.EnumerateFiles(top, "cgroup.procs", SearchOption.AllDirectories).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return []; // removed meanwhile
        }
    }

    /// <summary>Removes a cgroup directory if it and its children hold no process, children first.</summary>
    /// <returns>How many directories were removed.</returns>
    internal static int RemoveEmpty(string directory)
    {
        int removed;
        try
        {
            removed = Directory.EnumerateDirectories(directory).ToList().Sum(RemoveEmpty);
        }
        catch (DirectoryNotFoundException)
        {
            return 0; // Removed meanwhile by another start sweeping the same dead run.
        }

        if (ReadOrEmpty(Path.Combine(directory, "cgroup.procs")).Trim().Length > 0)
        {
            return removed;
        }

        try
        {
            // A cgroup directory holds only the kernel's control files: rmdir removes it, never a file of anyone's.
            Directory.Delete(directory);
            return removed + 1;
        }
        catch (DirectoryNotFoundException)
        {
            return removed; // Removed meanwhile by another sweep.
        }
        catch (IOException)
        {
            return removed; // A child with a process, or a process that joined meanwhile.
        }
    }

    /// <summary>A file's text, or empty when it cannot be read.</summary>
    internal static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
