using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>Measurements for the network payload tests: pings, ICMP counters, iperf3, and the namespace's network state.</summary>
internal static partial class NetTools
{
    /// <summary>Runs a command (inside <paramref name="ns"/> when given) and returns its exit code and output, whatever the exit code.</summary>
    public static (int Exit, string Output) RunAnyExit(string? ns, string program, params string[] args)
    {
        var start = new ProcessStartInfo(ns is null ? program : "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in ns is null ? args : ["netns", "exec", ns, program, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Pings <paramref name="ip"/> from <paramref name="ns"/>; returns (transmitted, received).</summary>
    public static (int Sent, int Received) Ping(string ns, string ip, int count, double interval = 0.02, int waitSeconds = 1)
    {
        var (_, output) = RunAnyExit(ns, "ping", "-n", "-q", "-c", Invariant(count), "-i", interval.ToString(CultureInfo.InvariantCulture), "-W", Invariant(waitSeconds), ip);
        var match = PingSummary().Match(output);
        match.Success.Should().BeTrue($"ping prints its summary, but printed:\n{output}");
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The echo requests that reached the ICMP layer of <paramref name="ns"/> (past iptables INPUT): <c>Icmp: InEchos</c> of /proc/net/snmp.</summary>
    public static long IcmpInEchos(string ns)
    {
        var lines = NetnsPair.Exec(ns, "cat", "/proc/net/snmp").Split('\n').Where(l => l.StartsWith("Icmp:", StringComparison.Ordinal)).ToList();
        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(values[Array.IndexOf(names, "InEchos")], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// TCP throughput in bit/s from <paramref name="clientNs"/> (sending) to an iperf3 server in <paramref name="serverNs"/>,
    /// measured over <paramref name="seconds"/> by the receiver (iperf3 <c>-J</c>: <c>end.sum_received.bits_per_second</c>).
    /// </summary>
    public static async Task<double> IperfBitsPerSecondAsync(string serverNs, string serverIp, string clientNs, int seconds = 3)
    {
        const string Port = "5201";
        var server = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", serverNs, "iperf3", "-s", "-1", "-B", serverIp, "-p", Port })
        {
            server.ArgumentList.Add(arg);
        }

        using var process = Process.Start(server)!;
        try
        {
            var waited = Stopwatch.StartNew();
            while (!NetnsPair.Exec(serverNs, "ss", "-ltnH").Contains($"{serverIp}:{Port}", StringComparison.Ordinal))
            {
                process.HasExited.Should().BeFalse($"the iperf3 server runs, but exited with {(process.HasExited ? process.ExitCode : 0)}");
                waited.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), $"iperf3 listens on {serverIp}:{Port}");
                await Task.Delay(20);
            }

            var (exit, json) = RunAnyExit(clientNs, "iperf3", "-c", serverIp, "-p", Port, "-t", Invariant(seconds), "-J");
            exit.Should().Be(0, $"iperf3 runs, but printed:\n{json}");
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }

    /// <summary>The network state of <paramref name="ns"/> a payload may change: iptables rules, qdiscs, tc filters, links.</summary>
    public static string State(string ns)
    {
        // iptables -S per table rather than iptables-save: iptables-nft creates an empty table (built-in chains, ACCEPT
        // policies) on first use and keeps it, which iptables-save shows and -S does not; rules and chains show in both.
        var iptables = string.Concat(new[] { "filter", "nat", "mangle", "raw" }.Select(t => NetnsPair.Exec(ns, "iptables", "-t", t, "-S")));
        var qdiscs = NetnsPair.Exec(ns, "tc", "qdisc", "show");
        var filters = NetnsPair.Exec(ns, "tc", "filter", "show", "dev", "eth0") + NetnsPair.Exec(ns, "tc", "filter", "show", "dev", "eth0", "ingress");
        var links = string.Join('\n', NetnsPair.Exec(ns, "ip", "-o", "link", "show").Split('\n').Select(l => l.Split(' ').ElementAtOrDefault(1)));
        return $"iptables:\n{iptables}\nqdiscs:\n{qdiscs}\nfilters:\n{filters}\nlinks:\n{links}";
    }

    /// <summary>The rules of <paramref name="ns"/> carrying <paramref name="comment"/>, as iptables-save prints them.</summary>
    public static IReadOnlyList<string> TaggedRules(string ns, string comment) =>
        NetnsPair.Exec(ns, "iptables-save").Split('\n').Where(l => l.Contains($"--comment {comment} ", StringComparison.Ordinal)).ToList();

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) (?:packets )?received")]
    private static partial Regex PingSummary();
}
