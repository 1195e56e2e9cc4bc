using System.Globalization;
using Chaos.Testing.Emulator;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// What a payload can leave behind in and around a pod of the process runtime, read from the host, never from the
/// payload or the engine: the pod's qdiscs, links and iptables rules (compared with a snapshot taken before the
/// experiment), every process whose command line carries the experiment id, and the fill file and stress folder of the
/// experiment anywhere in the emulator's node roots or this machine's temporary folders.
/// </summary>
internal sealed record Leftovers(IReadOnlyList<string> Network, IReadOnlyList<string> Tagged)
{
    /// <summary>What the pod's network namespace holds: its qdiscs on eth0, its links, its iptables rules.</summary>
    public static IReadOnlyList<string> NetworkOf(string podIp)
    {
        var netns = Netns(podIp);
        var qdiscs = Run("tc", "-n", netns, "qdisc", "show", "dev", "eth0").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "qdisc: " + l.Trim());
        var links = Run("ip", "-n", netns, "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "link: " + l.Split(':')[1].Trim());
        var rules = Run("ip", "netns", "exec", netns, "iptables-save").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("-A ", StringComparison.Ordinal) || (l.StartsWith(':') && l.Split(' ')[1] == "-")) // rules and user-defined chains
            .Select(l => "iptables: " + (l.StartsWith(':') ? l.Split(' ')[0] : l));
        return [.. qdiscs, .. links, .. rules];
    }

    /// <summary>Reads what is there now; <paramref name="before"/> is <see cref="NetworkOf"/> taken before the experiment.</summary>
    public static Leftovers Read(KubernetesEmulator cluster, string podIp, IReadOnlyList<string> before, string experimentId) =>
        new(NetworkOf(podIp).Except(before, StringComparer.Ordinal).ToList(), TaggedOf(cluster, experimentId));

    /// <summary>
    /// Every process of this machine whose command line carries <paramref name="experimentId"/>, and the experiment's fill
    /// files and stress folders in the emulator's node roots and this machine's temporary folders.
    /// </summary>
    public static IReadOnlyList<string> TaggedOf(KubernetesEmulator cluster, string experimentId)
    {
        var tagged = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (File.ReadAllText(Path.Combine(dir, "stat")).Split(") ")[^1].StartsWith('Z'))
                {
                    continue; // a zombie has ended
                }
            }
            catch (IOException)
            {
                continue; // ended meanwhile
            }

            if (cmdline.Contains(experimentId, StringComparison.Ordinal))
            {
                tagged.Add($"process {pid}: {cmdline[..Math.Min(cmdline.Length, 160)]}");
            }
        }

        var names = new[] { DiskFillPayloads.FileName(experimentId), Path.GetFileName(StressPayloads.TagDirectory(experimentId)) };
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var root in new[] { $"/run/chaos-testing-emulator/{cluster.ProcessRunId}", "/tmp", "/var/tmp" })
        {
            if (Directory.Exists(root))
            {
                tagged.AddRange(names.SelectMany(n => Directory.EnumerateFileSystemEntries(root, n, root.StartsWith("/run/", StringComparison.Ordinal) ? options : new EnumerationOptions()))
                    .Select(f => $"file {f} ({(File.Exists(f) ? new FileInfo(f).Length : 0)} bytes)"));
            }
        }

        return tagged;
    }

    public bool IsEmpty => Network.Count == 0 && Tagged.Count == 0;

    public override string ToString() => IsEmpty ? "nothing" : string.Join("; ", Network.Concat(Tagged));
}
