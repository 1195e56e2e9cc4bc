using System.Globalization;
using Chaos.Testing.Emulator.Runtime.Mounts;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// The state folder of each pod network, <c>/run/chaos-testing-emulator/&lt;run&gt;/</c>: <c>owner</c> (the pid and the
/// process start time, so that a pid reused by another process is not mistaken for the owner) and <c>ranges</c> (the
/// pod and service ranges, so that another run does not choose them). It is written before any other piece of the run
/// exists and removed after all are gone, so a piece whose run has no live owner is a leftover. <c>/run</c> is a tmpfs:
/// a reboot empties it together with the network pieces it describes.
/// </summary>
internal static class RunDirectory
{
    /// <summary>The folder holding every run's state folder and the lock file.</summary>
    public const string Root = "/run/chaos-testing-emulator";

    private const string OwnerFile = "owner";
    private const string RangesFile = "ranges";

    // A state folder without an owner file is a run being created, unless it has been like that for this long.
    private static readonly TimeSpan StartingGrace = TimeSpan.FromMinutes(1);

    // Creating a network holds the lock for tens of milliseconds; a minute means something is badly stuck.
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(60);

    private static readonly object Gate = new();

    /// <summary>The state folder of <paramref name="run"/>.</summary>
    public static string PathOf(string run) => Path.Combine(Root, run);

    /// <summary>
    /// Takes the lock that serializes choosing ranges and removing leftovers: a monitor within this process and an
    /// exclusive lock on <c>lock</c> (flock, released by the kernel if the process dies) across processes. Dispose the
    /// result on the same thread.
    /// </summary>
    public static IDisposable Lock()
    {
        Monitor.Enter(Gate);
        try
        {
            return new Held(OpenLockFile());
        }
        catch
        {
            Monitor.Exit(Gate);
            throw;
        }
    }

    /// <summary>Creates the state folder of a new run; false when the run id is taken.</summary>
    public static bool TryCreate(string run, Ipv4Range pods, Ipv4Range services)
    {
        var folder = PathOf(run);
        if (Directory.Exists(folder))
        {
            return false;
        }

        Directory.CreateDirectory(folder);
        WriteAtomically(Path.Combine(folder, RangesFile), $"pods {pods}\nservices {services}\n");
        var pid = Environment.ProcessId;
        var started = StartTimeOf(pid) ?? throw new InvalidOperationException($"/proc/{pid}/stat has no start time");
        WriteAtomically(Path.Combine(folder, OwnerFile), $"{pid.ToString(CultureInfo.InvariantCulture)} {started}\n");
        return true;
    }

    /// <summary>The run ids that have a state folder.</summary>
    public static IReadOnlyList<string> Runs()
    {
        try
        {
            return Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(NetworkNames.IsRunId).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>The ranges every run with a state folder recorded, each with a description for a collision message.</summary>
    public static IReadOnlyList<(Ipv4Range Range, string Description)> RecordedRanges()
    {
        var ranges = new List<(Ipv4Range, string)>();
        foreach (var run in Runs())
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(Path.Combine(PathOf(run), RangesFile));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                continue;
            }

            foreach (var words in lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(w => w.Length == 2))
            {
                if (Ipv4Range.TryParse(words[1], out var range, out _))
                {
                    ranges.Add((range, $"the {words[0]} range of pod network {run} ({Path.Combine(PathOf(run), RangesFile)})"));
                }
            }
        }

        return ranges;
    }

    /// <summary>
    /// Why <paramref name="run"/> is abandoned (its owner is dead, or it has no state folder), or null while its owner
    /// lives or it is still being created.
    /// </summary>
    public static string? WhyAbandoned(string run)
    {
        var folder = PathOf(run);
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(folder, OwnerFile));
        }
        catch (DirectoryNotFoundException)
        {
            return "it has no state folder";
        }
        catch (FileNotFoundException)
        {
            var age = TimeProvider.System.GetUtcNow().UtcDateTime - Directory.GetLastWriteTimeUtc(folder);
            return !Directory.Exists(folder) ? "it has no state folder"
                : age > StartingGrace ? $"its state folder has had no owner file for {age.TotalMinutes:0} minutes" : null;
        }

        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length != 2 || !int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return $"its owner file does not hold 'pid start-time' but '{text.Trim()}'";
        }

        var started = StartTimeOf(pid);
        return started is null ? $"its owner process {pid} is gone"
            : started != words[1] ? $"its owner pid {pid} now belongs to another process (started at {started}, not {words[1]})"
            : null;
    }

    /// <summary>Removes the state folder of <paramref name="run"/>; true when it was there.</summary>
    /// <exception cref="IOException">Something is still mounted in it (<see cref="MountTable.DetachUnder"/> first).</exception>
    public static bool Remove(string run)
    {
        if (MountTable.Under(PathOf(run)) is { Count: > 0 } mounted)
        {
            // A recursive delete would delete what is mounted there too.
            throw new IOException($"the state folder {PathOf(run)} still has mounts: {string.Join(", ", mounted)}");
        }

        try
        {
            Directory.Delete(PathOf(run), recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// The start time of process <paramref name="pid"/> (field 22 of <c>/proc/&lt;pid&gt;/stat</c>, clock ticks after
    /// boot), or null when there is no such process or it is a zombie: a killed process whose parent has not
    /// collected it yet still has its <c>/proc</c> entry, but it runs nothing and owns nothing any more. The fields
    /// are counted after the last ')' because the command name before it may contain spaces and parentheses.
    /// </summary>
    public static string? StartTimeOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }

        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3, the state: Z is a zombie, X (or x) dead.
        return fields.Length > 19 && fields[0] is not ("Z" or "X" or "x") ? fields[19] : null;
    }

    private static FileStream OpenLockFile()
    {
        Directory.CreateDirectory(Root);
        var path = Path.Combine(Root, "lock");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB) on Unix: held by another process, this throws.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < LockWait)
            {
                Task.Delay(TimeSpan.FromMilliseconds(10)).Wait();
            }
            catch (IOException ex)
            {
                throw new InvalidOperationException(
                    $"Another process has held {path} for {LockWait.TotalSeconds:0} s while creating or cleaning pod networks; is one stuck?", ex);
            }
        }
    }

    private static void WriteAtomically(string path, string content)
    {
        var staging = path + ".tmp";
        File.WriteAllText(staging, content);
        File.Move(staging, path, overwrite: true);
    }

    /// <summary>The lock, held until disposed.</summary>
    private sealed class Held(FileStream file) : IDisposable
    {
        private FileStream? _file = file;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _file, null) is { } file)
            {
                file.Dispose();
                Monitor.Exit(Gate);
            }
        }
    }
}
