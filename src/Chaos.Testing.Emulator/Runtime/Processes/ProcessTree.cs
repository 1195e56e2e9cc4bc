using System.Globalization;
using System.Runtime.InteropServices;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>Reads this machine's process tree from <c>/proc</c> and sends signals.</summary>
internal static class ProcessTree
{
    /// <summary>SIGKILL.</summary>
    internal const int SigKill = 9;

    /// <summary>SIGTERM.</summary>
    internal const int SigTerm = 15;

    /// <summary>The children of a process; empty once it is gone.</summary>
    /// <param name="pid">The process.</param>
    /// <returns>The children's PIDs.</returns>
    public static IReadOnlyList<int> Children(int pid)
    {
        try
        {
            // Each thread lists the children it forked; the launch tools are single-threaded, but read them all.
            return Directory.EnumerateDirectories($"/proc/{pid}/task")
                .SelectMany(task => ReadOrEmpty(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
                .ToList();
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or IOException)
        {
            return [];
        }
    }

    /// <summary>A process and all its descendants, parents before children.</summary>
    /// <param name="pid">The root.</param>
    /// <returns>The PIDs.</returns>
    public static IReadOnlyList<int> WithDescendants(int pid)
    {
        var all = new List<int> { pid };
        for (var i = 0; i < all.Count && all.Count < 10_000; i++)
        {
            all.AddRange(Children(all[i]).Where(c => !all.Contains(c)));
        }

        return all;
    }

    /// <summary>Whether a process exists (a zombie counts until it is reaped).</summary>
    /// <param name="pid">The process.</param>
    /// <returns>Whether <c>/proc/&lt;pid&gt;</c> exists.</returns>
    public static bool Exists(int pid) => pid > 0 && Directory.Exists($"/proc/{pid}");

    /// <summary>Sends a signal; a process that is already gone is not an error.</summary>
    /// <param name="pid">The process.</param>
    /// <param name="signal">The signal number.</param>
    public static void Signal(int pid, int signal)
    {
        if (pid > 0)
        {
            _ = NativeMethods.Kill(pid, signal);
        }
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return string.Empty;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }
}
