using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// The iptables rules of a pod network, as <c>iptables-restore --noflush</c> input. Each table is committed as one
/// transaction, and a <c>:CHAIN</c> line empties an existing chain, so replacing a chain's rules is one step that
/// other rules never see half done (kube-proxy works the same way). Own chains only: the built-in chains get one
/// jump per hook, inserted first so that a host firewall's DROP policy does not break the pods.
/// </summary>
internal static partial class FirewallScripts
{
    /// <summary>The filter chain that keeps traffic between the bridge and any other interface from passing.</summary>
    public static string ForwardChain(string run) => NetworkNames.Chain(run, "FWD");

    /// <summary>The filter chain that refuses connections to service addresses that were not translated (no endpoints).</summary>
    public static string RejectChain(string run) => NetworkNames.Chain(run, "REJECT");

    /// <summary>The filter chain that lets pods reach the network's DNS server on the gateway, whatever the host's INPUT policy.</summary>
    public static string InputChain(string run) => NetworkNames.Chain(run, "IN");

    /// <summary>The nat chain that translates service addresses to endpoints.</summary>
    public static string ServiceChain(string run) => NetworkNames.Chain(run, "SVC");

    /// <summary>The nat chain that masquerades pod-to-service traffic that lands in the pod range (hairpin).</summary>
    public static string MasqueradeChain(string run) => NetworkNames.Chain(run, "MASQ");

    /// <summary>
    /// The rules a new network starts with. Filter: what enters or leaves the bridge goes through the FWD chain, which
    /// accepts bridge to bridge and drops the rest (pods reach nothing beyond the machine, nothing reaches them from
    /// outside; the test process reaches pods through the connected route, which is OUTPUT, not FORWARD). Service
    /// addresses that were not translated are refused from the host (OUTPUT) and from pods (FWD). Nat: service
    /// addresses are translated for the host (OUTPUT) and for pods (PREROUTING on the bridge), and pod traffic that
    /// was translated back into the pod range is masqueraded, so that the reply returns through the host and is
    /// translated back (without it a pod would get the answer from an address it never called). DNS queries to the
    /// gateway are accepted ahead of the host's own INPUT rules.
    /// </summary>
    public static string Setup(string run, string bridge, IPAddress gateway, Ipv4Range pods, Ipv4Range services)
    {
        var forward = ForwardChain(run);
        var reject = RejectChain(run);
        var input = InputChain(run);
        var script = new StringBuilder()
            .AppendLine("*filter")
            .AppendLine($":{forward} - [0:0]")
            .AppendLine($":{reject} - [0:0]")
            .AppendLine($":{input} - [0:0]")
            .AppendLine($"-A {input} -p udp -m udp --dport 53 -j ACCEPT")
            .AppendLine($"-A {input} -p tcp -m tcp --dport 53 -j ACCEPT")
            .AppendLine($"-I INPUT 1 -i {bridge} -d {gateway}/32 -j {input}")
            .AppendLine($"-A {forward} -d {services} -j {reject}")
            .AppendLine($"-A {forward} -i {bridge} -o {bridge} -j ACCEPT")
            .AppendLine($"-A {forward} -j DROP")
            .AppendLine($"-I FORWARD 1 -i {bridge} -j {forward}")
            .AppendLine($"-I FORWARD 1 -o {bridge} -j {forward}")
            .AppendLine($"-I OUTPUT 1 -d {services} -j {reject}");
        AppendRejects(script, run, [], declare: false);
        script.AppendLine("COMMIT")
            .AppendLine("*nat")
            .AppendLine($":{ServiceChain(run)} - [0:0]")
            .AppendLine($":{MasqueradeChain(run)} - [0:0]")
            .AppendLine($"-A {MasqueradeChain(run)} -s {pods} -d {pods} -m conntrack --ctstate DNAT -j MASQUERADE")
            .AppendLine($"-I PREROUTING 1 -i {bridge} -d {services} -j {ServiceChain(run)}")
            .AppendLine($"-I OUTPUT 1 -d {services} -j {ServiceChain(run)}")
            .AppendLine($"-I POSTROUTING 1 -s {pods} -d {pods} -j {MasqueradeChain(run)}")
            .AppendLine("COMMIT");
        return script.ToString();
    }

    /// <summary>
    /// Replaces every service rule: one DNAT per endpoint, the i-th of n taken with probability 1/(n-i) so that each
    /// endpoint gets 1/n of the connections (kube-proxy's spreading); a service without endpoints is refused with a TCP
    /// reset or an ICMP port-unreachable, so that a client fails at once instead of waiting for a timeout.
    /// </summary>
    public static string Services(string run, IReadOnlyList<ServiceRoute> services)
    {
        var chain = ServiceChain(run);
        var script = new StringBuilder().AppendLine("*nat").AppendLine($":{chain} - [0:0]");
        foreach (var service in services)
        {
            var match = Match(service);
            var count = service.Endpoints.Count;
            for (var i = 0; i < count; i++)
            {
                var spread = i == count - 1 ? string.Empty
                    : $"-m statistic --mode random --probability {(1.0 / (count - i)).ToString("0.0000000000", CultureInfo.InvariantCulture)} ";
                script.AppendLine($"-A {chain} {match} {spread}-j DNAT --to-destination {service.Endpoints[i]}");
            }
        }

        script.AppendLine("COMMIT").AppendLine("*filter");
        AppendRejects(script, run, services.Where(s => s.Endpoints.Count == 0), declare: true);
        return script.AppendLine("COMMIT").ToString();
    }

    /// <summary>
    /// The script that removes every rule and chain of <paramref name="run"/> found in <paramref name="saved"/> (the
    /// output of <c>iptables-save</c>), or null when there is none: each jump from another chain is deleted by its own
    /// saved text (so no rule position is assumed), then the run's chains are emptied and deleted.
    /// </summary>
    public static string? Teardown(string saved, string run)
    {
        var prefix = NetworkNames.Chain(run, string.Empty);
        var script = new StringBuilder();
        foreach (var (table, lines) in SavedTables(saved))
        {
            var own = lines.Where(l => l.StartsWith(':' + prefix, StringComparison.Ordinal))
                .Select(l => l[1..].Split(' ')[0]).ToList();
            var jumps = lines.Where(l => l.StartsWith("-A ", StringComparison.Ordinal)
                    && !l.StartsWith("-A " + prefix, StringComparison.Ordinal)
                    && l.Contains(" -j " + prefix, StringComparison.Ordinal))
                .ToList();
            if (own.Count == 0 && jumps.Count == 0)
            {
                continue;
            }

            script.AppendLine(CultureInfo.InvariantCulture, $"*{table}");
            jumps.ForEach(j => script.AppendLine("-D " + j[3..]));
            own.ForEach(c => script.AppendLine($"-F {c}"));
            own.ForEach(c => script.AppendLine($"-X {c}"));
            script.AppendLine("COMMIT");
        }

        return script.Length == 0 ? null : script.ToString();
    }

    /// <summary>The runs that have a chain, or a jump to one, in <paramref name="saved"/>, with the chains.</summary>
    public static IReadOnlyDictionary<string, SortedSet<string>> Runs(string saved)
    {
        var runs = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (System.Text.RegularExpressions.Match m in ChainName().Matches(saved))
        {
            runs.TryAdd(m.Groups["run"].Value, new SortedSet<string>(StringComparer.Ordinal));
            runs[m.Groups["run"].Value].Add(m.Groups["chain"].Value);
        }

        return runs;
    }

    private static void AppendRejects(StringBuilder script, string run, IEnumerable<ServiceRoute> withoutEndpoints, bool declare)
    {
        // A chain is declared before the first rule that jumps to it; declaring it again empties it.
        var chain = RejectChain(run);
        if (declare)
        {
            script.AppendLine($":{chain} - [0:0]");
        }

        foreach (var service in withoutEndpoints)
        {
            script.AppendLine($"-A {chain} {Match(service)} -j REJECT --reject-with {RejectWith(service.Protocol)}");
        }

        // Any other address or port of the range was not translated either: refuse it too, so that nothing sent to
        // the service range leaves the machine through the default route.
        script.AppendLine($"-A {chain} -p tcp -j REJECT --reject-with tcp-reset")
            .AppendLine($"-A {chain} -j REJECT --reject-with icmp-port-unreachable");
    }

    private static string Match(ServiceRoute service)
    {
        var protocol = service.Protocol.ToLowerInvariant();
        return $"-d {service.ClusterIp}/32 -p {protocol} -m {protocol} --dport {service.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string RejectWith(string protocol) =>
        string.Equals(protocol, "TCP", StringComparison.OrdinalIgnoreCase) ? "tcp-reset" : "icmp-port-unreachable";

    private static IEnumerable<(string Table, List<string> Lines)> SavedTables(string saved)
    {
        string? table = null;
        var lines = new List<string>();
        foreach (var line in saved.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (line.StartsWith('*'))
            {
                table = line[1..].Trim();
                lines = [];
            }
            else if (line == "COMMIT" && table is not null)
            {
                yield return (table, lines);
                table = null;
            }
            else if (table is not null)
            {
                lines.Add(line);
            }
        }
    }

    /// <summary>Checks a service before any rule is written, so that a bad one fails alone with a clear message.</summary>
    public static void Validate(ServiceRoute service, Ipv4Range serviceRange)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.ClusterIp is null || !serviceRange.Contains(service.ClusterIp))
        {
            throw new ArgumentException(
                $"Service address {service.ClusterIp} is outside this pod network's service range {serviceRange}: allocate ClusterIPs from {serviceRange}.");
        }

        if (service.Port is < 1 or > 65535)
        {
            throw new ArgumentException($"Service {service.ClusterIp} has port {service.Port}: a port is 1 to 65535.");
        }

        if (!string.Equals(service.Protocol, "TCP", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(service.Protocol, "UDP", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Service {service.ClusterIp}:{service.Port} has protocol '{service.Protocol}': only TCP and UDP are routed.");
        }

        if (service.Endpoints is null)
        {
            throw new ArgumentException($"Service {service.ClusterIp}:{service.Port} has no endpoint list: pass an empty one for none.");
        }

        foreach (var endpoint in service.Endpoints)
        {
            if (endpoint is null || endpoint.AddressFamily != AddressFamily.InterNetwork || endpoint.Port is < 1 or > 65535)
            {
                throw new ArgumentException(
                    $"Service {service.ClusterIp}:{service.Port} has endpoint '{endpoint}': endpoints are IPv4 addresses with a port 1 to 65535.");
            }
        }
    }

    [GeneratedRegex(@"(?<chain>CTE-(?<run>[a-z0-9]{6})-[A-Z]+)\b")]
    private static partial Regex ChainName();
}
