using System.Collections.Concurrent;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>Finds programs on this machine: the tools the launch chain runs, and a container's program in its <c>PATH</c>.</summary>
internal static class HostTools
{
    /// <summary>The <c>PATH</c> a container gets when its environment has none (containerd's default).</summary>
    internal const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly ConcurrentDictionary<string, string?> Found = new(StringComparer.Ordinal);

    /// <summary>
    /// The absolute path of a tool of this machine: the standard directories first (so a version manager's shim on
    /// this process's <c>PATH</c> does not win), then this process's <c>PATH</c>.
    /// </summary>
    /// <param name="name">The program name, e.g. <c>unshare</c>.</param>
    /// <returns>The path, or <see langword="null"/> when it is not installed.</returns>
    public static string? Find(string name) =>
        Found.GetOrAdd(name, n => Search(n, $"{DefaultPath}:{Environment.GetEnvironmentVariable("PATH")}", "/"));

    /// <summary>
    /// Where a container's program is, as <c>execvp</c> finds it: a name with a slash relative to the working
    /// directory, any other name in <paramref name="path"/>.
    /// </summary>
    /// <param name="program">The program, <c>argv[0]</c>.</param>
    /// <param name="path">The container's <c>PATH</c>.</param>
    /// <param name="workingDirectory">The container's working directory.</param>
    /// <returns>The executable's path, or <see langword="null"/> when there is none.</returns>
    public static string? Search(string program, string path, string workingDirectory)
    {
        if (program.Length == 0)
        {
            return null;
        }

        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(program, workingDirectory);
            return IsExecutable(full) ? full : null;
        }

        return path.Split(':').Select(dir => Path.Combine(dir.Length == 0 ? workingDirectory : Path.GetFullPath(dir, workingDirectory), program))
            .FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string path)
    {
        const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return File.Exists(path) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & AnyExecute) != 0;
    }
}
