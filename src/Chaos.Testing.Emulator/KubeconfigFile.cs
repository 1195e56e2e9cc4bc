using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Chaos.Testing.Emulator;

/// <summary>
/// The kubeconfig file an emulator writes. Its own files go to the temporary folder under a name another user cannot
/// guess (<c>chaos-emulator-&lt;pid&gt;-&lt;16 random characters&gt;.kubeconfig</c>), are created new (O_EXCL: an existing
/// file or symlink is refused, never followed), readable by the owner only (0600), and deleted on dispose; one left
/// behind by a process that died is deleted when the next emulator starts. A path the caller chose is written the
/// same way and then renamed into place, which replaces a symlink there instead of writing through it.
/// </summary>
internal static partial class KubeconfigFile
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Writes <paramref name="content"/> to a new file with an unpredictable name in <paramref name="directory"/>.</summary>
    public static string CreateInTemp(string directory, string content)
    {
        for (var attempt = 1; ; attempt++)
        {
            var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            var path = Path.Combine(directory, $"chaos-emulator-{pid}-{RandomNumberGenerator.GetString(Alphabet, 16)}.kubeconfig");
            try
            {
                CreateNew(path, content);
                return path;
            }
            catch (IOException) when (attempt < 3 && Path.Exists(path))
            {
                // Taken (by chance or by someone placing files there): draw another name.
            }
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> (the caller's choice), never through a symlink.</summary>
    public static void WriteTo(string path, string content)
    {
        var full = Path.GetFullPath(path);
        var staging = Path.Combine(
            Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{RandomNumberGenerator.GetString(Alphabet, 16)}.tmp");
        CreateNew(staging, content);
        try
        {
            File.Move(staging, full, overwrite: true);
        }
        catch
        {
            File.Delete(staging);
            throw;
        }
    }

    /// <summary>Creates <paramref name="path"/>, which must not exist (not even as a symlink), for the owner only (0600).</summary>
    public static void CreateNew(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(content));
    }

    /// <summary>
    /// Deletes the kubeconfig files of emulator processes that are no longer running: only names this class gives,
    /// only pids that are not alive. Files that cannot be deleted (another user's) are left. Returns how many went.
    /// </summary>
    public static int RemoveStale(string directory, Func<int, bool>? isAlive = null)
    {
        isAlive ??= IsAlive;
        var removed = 0;
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, "chaos-emulator-*.kubeconfig").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        foreach (var path in candidates)
        {
            var match = OwnName().Match(Path.GetFileName(path));
            if (!match.Success
                || !int.TryParse(match.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId
                || isAlive(pid))
            {
                continue;
            }

            try
            {
                File.Delete(path);
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's file in a shared temporary folder, or already gone.
            }
        }

        return removed;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return true; // cannot tell: keep the file
        }
    }

    [GeneratedRegex(@"\Achaos-emulator-(?<pid>[0-9]{1,10})-[a-z0-9]{16}\.kubeconfig\z")]
    private static partial Regex OwnName();
}
