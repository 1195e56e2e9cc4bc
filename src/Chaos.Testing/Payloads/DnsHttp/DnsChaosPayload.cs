using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// Builds the DNS chaos payload, run in an ephemeral container sharing the target pod's network namespace, with
/// NET_ADMIN. Its image needs <c>iptables</c> and <c>pkill</c> (procps or busybox), and <c>python3</c> for
/// <see cref="DnsChaosAction.Fail"/> and <see cref="DnsChaosAction.WrongAddress"/>.
/// <list type="bullet">
/// <item><see cref="DnsChaosAction.Block"/>: filter OUTPUT DROP of UDP and TCP to port 53 (resolution fails at once), or
/// with <see cref="DnsChaosSpec.DropAnswers"/> filter INPUT DROP of UDP and TCP from port 53 (resolution times out).</item>
/// <item>Otherwise: the DNS proxy of <see cref="DnsProxyProgram"/> on 127.0.0.1:ProxyPort, and nat OUTPUT REDIRECT of
/// UDP and TCP port 53 to it, except packets carrying the proxy's mark (its own upstream queries).</item>
/// </list>
/// Every rule is inserted first in its chain and tagged <c>chaos-&lt;tag&gt;</c>; cleanup deletes exactly those rules,
/// then kills the proxy. IPv4 only (ip6tables is not touched). A query whose UDP flow conntrack already tracks (a
/// resolver reusing one socket and source port) keeps its old path until the flow expires; resolvers that take a
/// fresh source port per query (glibc, musl) follow the rules at once.
/// </summary>
internal static class DnsChaosPayload
{
    /// <summary>The helper kind of the DNS proxy (its marker is <c># chaos-dnsproxy-&lt;tag&gt;</c>).</summary>
    public const string ProxyKind = "dnsproxy";

    private static readonly string[] Protocols = ["udp", "tcp"];

    /// <summary>The payload for <paramref name="spec"/>, tagged <paramref name="tag"/> (letters, digits and '-').</summary>
    /// <exception cref="ChaosConfigurationException">The spec is invalid; lists every problem.</exception>
    public static PayloadScript Build(string tag, DnsChaosSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<string>();
        spec.Validate(errors);
        if (errors.Count > 0)
        {
            throw new ChaosConfigurationException(errors);
        }

        var script = new PayloadScript(tag);
        if (spec.Action == DnsChaosAction.Block)
        {
            var (chain, direction) = spec.DropAnswers ? ("INPUT", "--sport") : ("OUTPUT", "--dport");
            foreach (var protocol in Protocols)
            {
                script.TaggedRule("filter", chain, ["-p", protocol, direction, "53"], ["-j", "DROP"]);
            }

            return script;
        }

        var port = spec.ProxyPort.ToString(CultureInfo.InvariantCulture);
        script.StartHelper(
            ProxyKind,
            DnsProxyProgram.Text,
            [
                port,
                spec.Mark.ToString(CultureInfo.InvariantCulture),
                spec.ResolvConfPath,
                spec.Action == DnsChaosAction.Fail ? "fail" : "address",
                spec.Address?.ToString() ?? "-",
                .. spec.Patterns,
            ]);
        var mark = "0x" + spec.Mark.ToString("x", CultureInfo.InvariantCulture);
        foreach (var protocol in Protocols)
        {
            script.TaggedRule("nat", "OUTPUT", ["-p", protocol, "--dport", "53", "-m", "mark", "!", "--mark", mark], ["-j", "REDIRECT", "--to-ports", port]);
        }

        return script;
    }
}
