using System.Globalization;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// Chooses the pod and service ranges of a new network. A range must not overlap any route or address on the machine
/// (traffic for it would go two ways) nor the recorded ranges of another pod network, live in this process or in
/// another one. The caller holds <see cref="RunDirectory.Lock"/>, so two networks never choose at the same time.
/// </summary>
internal static class RangePlanner
{
    /// <summary>Where automatic pod ranges are carved from.</summary>
    public static readonly Ipv4Range PodPool = new(0x0AD5_0000, 16); // 10.213.0.0/16

    /// <summary>Where automatic service ranges are carved from.</summary>
    public static readonly Ipv4Range ServicePool = new(0x0AD6_0000, 16); // 10.214.0.0/16

    private const int PodPrefix = 22; // 1021 pods: more than any test needs, and 64 networks fit in the pool
    private const int ServicePrefix = 24;

    private static readonly HashSet<string> RouteTypes = new(StringComparer.Ordinal)
    {
        "unicast", "local", "broadcast", "multicast", "throw", "unreachable", "prohibit", "blackhole", "nat", "anycast",
    };

    /// <summary>The pod and service ranges for <paramref name="settings"/>; throws <see cref="PodNetworkUnavailableException"/> when none fits.</summary>
    public static (Ipv4Range Pods, Ipv4Range Services) Choose(PodNetworkSettings settings)
    {
        var taken = Taken();
        var pods = settings.PodRange is { } podText
            ? Explicit(podText, "pod range", nameof(PodNetworkSettings.PodRange), 8, 28, taken)
            : FirstFree(PodPool, PodPrefix, "pod range", nameof(PodNetworkSettings.PodRange), taken);
        taken.Add((pods, $"this network's pod range {pods}"));
        var services = settings.ServiceRange is { } serviceText
            ? Explicit(serviceText, "service range", nameof(PodNetworkSettings.ServiceRange), 8, 30, taken)
            : FirstFree(ServicePool, ServicePrefix, "service range", nameof(PodNetworkSettings.ServiceRange), taken);
        return (pods, services);
    }

    /// <summary>What is in use on this machine: routes of every table, interface addresses, and other networks' recorded ranges.</summary>
    public static List<(Ipv4Range Range, string Description)> Taken()
    {
        var taken = new List<(Ipv4Range, string)>();
        foreach (var line in Lines(HostCommand.Run("ip", ["-4", "route", "show", "table", "all"])))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var destination = RouteTypes.Contains(words[0]) && words.Length > 1 ? words[1] : words[0];
            if (destination != "default" && Ipv4Range.TryParse(destination, out var range, out _))
            {
                taken.Add((range, $"route '{line}' (ip -4 route show table all)"));
            }
        }

        foreach (var line in Lines(HostCommand.Run("ip", ["-4", "-o", "addr", "show"])))
        {
            // "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\ ..."
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var at = Array.IndexOf(words, "inet");
            if (at >= 1 && at + 1 < words.Length && ParseAddress(words[at + 1]) is { } range)
            {
                taken.Add((range, $"address {words[at + 1]} on {words[1]} (ip -4 addr)"));
            }
        }

        taken.AddRange(RunDirectory.RecordedRanges());
        return taken;
    }

    private static Ipv4Range Explicit(string text, string what, string setting, int shortest, int longest, List<(Ipv4Range Range, string Description)> taken)
    {
        if (!Ipv4Range.TryParse(text, out var range, out var problem))
        {
            throw new PodNetworkUnavailableException($"The {what} {setting} is not usable: {problem}. Set it to an IPv4 CIDR with zero host bits, or leave it null to choose one.");
        }

        if (range.PrefixLength < shortest || range.PrefixLength > longest)
        {
            throw new PodNetworkUnavailableException(
                $"The {what} {range} ({setting}) has a /{range.PrefixLength} prefix: use /{shortest} to /{longest}, or leave it null to choose one.");
        }

        var collision = taken.FirstOrDefault(t => t.Range.Overlaps(range));
        if (collision.Description is not null)
        {
            throw new PodNetworkUnavailableException(
                $"The {what} {range} ({setting}) overlaps {collision.Description}: traffic for those addresses would go two ways. " +
                $"Choose another range for {setting}, or leave it null to choose a free one.");
        }

        return range;
    }

    private static Ipv4Range FirstFree(Ipv4Range pool, int prefix, string what, string setting, List<(Ipv4Range Range, string Description)> taken)
    {
        var step = (uint)(1L << (32 - prefix));
        for (var network = pool.Network; network <= pool.Last; network += step)
        {
            var candidate = new Ipv4Range(network, prefix);
            if (!taken.Any(t => t.Range.Overlaps(candidate)))
            {
                return candidate;
            }

            if (network + step < network)
            {
                break; // wrapped past 255.255.255.255
            }
        }

        var count = (pool.Size / step).ToString(CultureInfo.InvariantCulture);
        throw new PodNetworkUnavailableException(
            $"No {what} is free: all {count} /{prefix} ranges of {pool} overlap a route, an address or another pod network on this machine. " +
            $"Dispose pod networks that are no longer needed (PodNetwork.RemoveLeftovers removes those of dead processes), or set {setting} to a free range.");
    }

    private static Ipv4Range? ParseAddress(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2
            && Ipv4Range.TryParse(parts[0], out var address, out _)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix <= 32
            ? Ipv4Range.Around(address.Network, prefix)
            : null;
    }

    private static string[] Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
