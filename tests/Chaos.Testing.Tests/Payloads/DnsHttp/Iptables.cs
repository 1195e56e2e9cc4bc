using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>The iptables state of a namespace, comparable before and after a payload.</summary>
public static class Iptables
{
    /// <summary>Rules that are not ours, added before a payload so that its cleanup must leave them (and their tables) alone.</summary>
    public static void AddUnrelatedRules(string ns)
    {
        NetnsPair.Exec(ns, "iptables", "-w", "-A", "OUTPUT", "-p", "udp", "--dport", "5300", "-j", "ACCEPT");
        NetnsPair.Exec(ns, "iptables", "-w", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "5301", "-j", "RETURN");
        NetnsPair.Exec(ns, "iptables", "-w", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "5302", "-j", "RETURN");
    }

    /// <summary><c>iptables-save</c> (every table: filter, nat, ...) without its comments and counters.</summary>
    public static string Save(string ns) =>
        string.Join('\n', NetnsPair.Exec(ns, "iptables-save").Split('\n')
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.StartsWith(':') ? line[..line.LastIndexOf(' ')] : line));
}
