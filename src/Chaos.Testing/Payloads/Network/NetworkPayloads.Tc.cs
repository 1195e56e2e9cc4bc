using System.Globalization;

namespace Chaos.Testing;

/// <summary>The tc commands: qdisc trees for egress and ingress, netem and tbf arguments.</summary>
internal static partial class NetworkPayloads
{
    /// <summary>The priomap of pfifo_fast, so unfiltered traffic keeps its default bands 1:1-1:3 of the <c>prio</c> root.</summary>
    private static readonly string[] DefaultPriomap = ["1", "2", "2", "2", "1", "2", "0", "0", "1", "1", "1", "1", "1", "1", "1", "1"];

    private static QdiscPlan EgressQdisc(string iface, IReadOnlyList<(string? Cidr, (string Protocol, int Port)? Port)>? alternatives, string[] leaf)
    {
        string[] delete = ["tc", "qdisc", "del", "dev", iface, "root"];
        if (alternatives is null)
        {
            return new([["tc", "qdisc", "replace", "dev", iface, "root", .. leaf]], [delete]);
        }

        List<string[]> install =
        [
            ["tc", "qdisc", "replace", "dev", iface, "root", "handle", "1:", "prio", "bands", "4", "priomap", .. DefaultPriomap],
            ["tc", "qdisc", "add", "dev", iface, "parent", "1:4", "handle", "40:", .. leaf],
        ];
        install.AddRange(alternatives.Select(a =>
            (string[])["tc", "filter", "add", "dev", iface, "parent", "1:", "protocol", "ip", "prio", "1", "u32", .. U32Matches(a, "dst"), "flowid", "1:4"]));
        return new(install, [delete]);
    }

    private static QdiscPlan IngressQdisc(string tag, string iface, IReadOnlyList<(string? Cidr, (string Protocol, int Port)? Port)>? alternatives, string[] leaf)
    {
        var ifb = IfbDevice(tag);
        string[] redirect = ["action", "mirred", "egress", "redirect", "dev", ifb];
        var filters = alternatives is null
            ? [["tc", "filter", "add", "dev", iface, "parent", "ffff:", "protocol", "all", "prio", "1", "u32", "match", "u32", "0", "0", .. redirect]]
            : alternatives.Select(a =>
                (string[])["tc", "filter", "add", "dev", iface, "parent", "ffff:", "protocol", "ip", "prio", "1", "u32", .. U32Matches(a, "src"), .. redirect]);

        // The ifb and its qdisc come first: nothing is redirected before the shaping is in place.
        List<string[]> install =
        [
            ["ip", "link", "add", ifb, "type", "ifb"],
            ["ip", "link", "set", "dev", ifb, "up"],
            ["tc", "qdisc", "replace", "dev", ifb, "root", .. leaf],
            ["tc", "qdisc", "add", "dev", iface, "handle", "ffff:", "ingress"],
            .. filters,
        ];
        return new(install, [["tc", "qdisc", "del", "dev", iface, "ingress"], ["ip", "link", "del", ifb]]);
    }

    /// <summary>u32 matches of one filter alternative on the packet's <paramref name="side"/> (<c>dst</c> or <c>src</c>).</summary>
    private static string[] U32Matches((string? Cidr, (string Protocol, int Port)? Port) alternative, string side)
    {
        var matches = new List<string>();
        if (alternative.Cidr is not null)
        {
            matches.AddRange(["match", "ip", side, alternative.Cidr]);
        }

        if (alternative.Port is { } port)
        {
            // u32 reads the port at a fixed offset (an IP header without options), hence the protocol match too.
            matches.AddRange(["match", "ip", "protocol", port.Protocol == "tcp" ? "6" : "17", "0xff"]);
            matches.AddRange(["match", "ip", side == "dst" ? "dport" : "sport", Invariant(port.Port), "0xffff"]);
        }

        return [.. matches];
    }

    private static string[] NetemArguments(NetemEffects effects, string paramName)
    {
        ArgumentNullException.ThrowIfNull(effects, paramName);
        var args = new List<string> { "netem" };
        if (effects.Delay is { } delay)
        {
            NotNegative(delay.Latency, "netem latency", paramName);
            NotNegative(delay.Jitter, "netem jitter", paramName);
            args.AddRange(["delay", Time(delay.Latency)]);
            if (delay.Jitter > TimeSpan.Zero)
            {
                args.Add(Time(delay.Jitter));
                if (Percent(delay.CorrelationPercent, "netem delay correlation", paramName) > 0)
                {
                    args.Add(PercentText(delay.CorrelationPercent));
                }
            }
            else
            {
                _ = Percent(delay.CorrelationPercent, "netem delay correlation", paramName);
            }
        }

        if (effects.Loss is { } loss)
        {
            args.AddRange(["loss", PercentText(Percent(loss.Percent, "netem loss", paramName))]);
            if (Percent(loss.CorrelationPercent, "netem loss correlation", paramName) > 0)
            {
                args.Add(PercentText(loss.CorrelationPercent));
            }
        }

        if (effects.CorruptionPercent is { } corrupt)
        {
            args.AddRange(["corrupt", PercentText(Percent(corrupt, "netem corruption", paramName))]);
        }

        if (effects.DuplicationPercent is { } duplicate)
        {
            args.AddRange(["duplicate", PercentText(Percent(duplicate, "netem duplication", paramName))]);
        }

        if (args.Count == 1)
        {
            throw new ArgumentException("A netem fault needs at least one of delay, loss, corruption, duplication.", paramName);
        }

        return [.. args];
    }

    private static string[] TbfArguments(BandwidthLimit limit, string paramName)
    {
        ArgumentNullException.ThrowIfNull(limit, paramName);
        if (limit.RateBitsPerSecond <= 0)
        {
            throw new ArgumentException($"A bandwidth rate is more than 0 bit/s, was {limit.RateBitsPerSecond}.", paramName);
        }

        if (limit.BurstBytes <= 0)
        {
            throw new ArgumentException($"A bandwidth burst is more than 0 bytes, was {limit.BurstBytes}.", paramName);
        }

        string[] args = ["tbf", "rate", Invariant(limit.RateBitsPerSecond) + "bit", "burst", Invariant(limit.BurstBytes)];
        return (limit.Latency, limit.LimitBytes) switch
        {
            ({ } latency, null) when latency > TimeSpan.Zero => [.. args, "latency", Time(latency)],
            (null, { } bytes) when bytes > 0 => [.. args, "limit", Invariant(bytes)],
            (null, null) or ({ }, { }) => throw new ArgumentException("A bandwidth limit bounds its queue by exactly one of latency and limit (bytes).", paramName),
            _ => throw new ArgumentException($"A bandwidth latency or limit is more than 0, was {limit.Latency?.ToString() ?? Invariant(limit.LimitBytes ?? 0)}.", paramName),
        };
    }

    /// <summary>A tc time: whole milliseconds as <c>ms</c>, anything finer as microseconds.</summary>
    private static string Time(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? Invariant(value.Ticks / TimeSpan.TicksPerMillisecond) + "ms"
            : Invariant((long)Math.Round(value.Ticks / (double)TimeSpan.TicksPerMicrosecond)) + "us";

    private static void NotNegative(TimeSpan value, string what, string paramName)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentException($"A {what} is 0 or more, was {value}.", paramName);
        }
    }

    private static double Percent(double value, string what, string paramName)
    {
        if (!double.IsFinite(value) || value is < 0 or > 100)
        {
            throw new ArgumentException($"A {what} is a percentage 0-100, was {value.ToString(CultureInfo.InvariantCulture)}.", paramName);
        }

        return value;
    }

    private static string PercentText(double percent) => percent.ToString("0.######", CultureInfo.InvariantCulture) + "%";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string ValidInterface(string iface, string paramName)
    {
        if (string.IsNullOrEmpty(iface) || iface.Length > 15 || !iface.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || iface is "." or "..")
        {
            throw new ArgumentException($"An interface name is 1-15 letters, digits, '-', '_' or '.', was \"{iface}\".", paramName);
        }

        return iface;
    }
}
