using System.Globalization;
using System.Text;

namespace Chaos.Testing.Emulator.Runtime.Mounts;

/// <summary>
/// The mounts of this process's mount namespace, from <c>/proc/self/mountinfo</c>, and the removal of those below a
/// folder: a folder is never deleted while something is mounted in it, or the delete would reach into what is mounted.
/// </summary>
internal static class MountTable
{
    private const string MountInfo = "/proc/self/mountinfo";

    /// <summary>The mount points at or below <paramref name="folder"/>, deepest first (a point mounted twice is listed twice).</summary>
    /// <param name="folder">An absolute folder path.</param>
    /// <param name="mountInfo">The text of a <c>mountinfo</c> file; this process's when <see langword="null"/>.</param>
    /// <returns>The mount points.</returns>
    public static IReadOnlyList<string> Under(string folder, string? mountInfo = null)
    {
        var root = folder.TrimEnd('/');
        return MountPoints(mountInfo ?? Read())
            .Where(p => p == root || p.StartsWith(root + "/", StringComparison.Ordinal))
            .OrderByDescending(p => p.Length).ThenBy(p => p, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Detaches everything mounted at or below <paramref name="folder"/> (lazily: a process still using a mount keeps
    /// it until it lets go, but it is gone from this namespace at once). Returns a line per mount detached, and a line
    /// starting with "could not detach" per mount still there.
    /// </summary>
    /// <param name="folder">An absolute folder path.</param>
    /// <returns>What was done.</returns>
    public static (List<string> Detached, List<string> Problems) DetachUnder(string folder)
    {
        var detached = new List<string>();
        var problems = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return (detached, problems);
        }

        // Stacked mounts need one detach each; a detach takes the mounts below its point with it.
        for (var round = 0; round < 64 && Under(folder) is { Count: > 0 } points; round++)
        {
            foreach (var point in points.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    if (MountCalls.Detach(point))
                    {
                        detached.Add($"mount {point}");
                    }
                }
                catch (IOException ex)
                {
                    problems.Add($"could not detach {point}: {ex.Message}");
                }
            }

            if (problems.Count > 0)
            {
                break;
            }
        }

        problems.AddRange(problems.Count == 0 ? Under(folder).Select(p => $"could not detach {p}: still mounted") : []);
        return (detached, problems);
    }

    /// <summary>The mount points of a <c>mountinfo</c> text (field 5, its octal escapes decoded).</summary>
    internal static IEnumerable<string> MountPoints(string mountInfo) =>
        mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]));

    private static string Read()
    {
        try
        {
            return File.ReadAllText(MountInfo);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Decodes the kernel's octal escapes (<c>\040</c> for a space, <c>\134</c> for a backslash, ...).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                bytes.Add(Convert.ToByte(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
