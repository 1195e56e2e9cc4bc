using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// Builds the HTTP chaos payload, run in an ephemeral container sharing the target pod's network namespace, with
/// NET_ADMIN; its image needs <c>python3</c>, <c>iptables</c> and <c>pkill</c> (procps or busybox). It starts the
/// proxy of <see cref="HttpProxyProgram"/> on ProxyPort and inserts a nat PREROUTING REDIRECT of TCP Port to it,
/// tagged <c>chaos-&lt;tag&gt;</c>: connections from outside the pod (other pods, Services, the kubelet's probes) go
/// through the proxy, while the proxy's own connection to 127.0.0.1:Port, and any traffic from inside the pod,
/// passes through OUTPUT, which is left alone. The container must therefore listen on 127.0.0.1 or on all addresses.
/// Connections open before the rule keep their path. Cleanup deletes the rule, then kills the proxy. IPv4 only.
/// </summary>
internal static class HttpChaosPayload
{
    /// <summary>The helper kind of the HTTP proxy (its marker is <c># chaos-httpproxy-&lt;tag&gt;</c>).</summary>
    public const string ProxyKind = "httpproxy";

    /// <summary>The payload for <paramref name="spec"/>, tagged <paramref name="tag"/> (letters, digits and '-').</summary>
    /// <exception cref="ChaosConfigurationException">The spec is invalid; lists every problem.</exception>
    public static PayloadScript Build(string tag, HttpChaosSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<string>();
        spec.Validate(errors);
        if (errors.Count > 0)
        {
            throw new ChaosConfigurationException(errors);
        }

        var port = spec.Port.ToString(CultureInfo.InvariantCulture);
        var proxyPort = spec.ProxyPort.ToString(CultureInfo.InvariantCulture);
        return new PayloadScript(tag)
            .StartHelper(
                ProxyKind,
                HttpProxyProgram.Text,
                proxyPort,
                port,
                spec.Percent.ToString("R", CultureInfo.InvariantCulture),
                ((long)spec.Delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                (spec.AbortStatus ?? 0).ToString(CultureInfo.InvariantCulture),
                spec.PathPrefix ?? string.Empty,
                spec.Method ?? string.Empty,
                spec.Seed?.ToString(CultureInfo.InvariantCulture) ?? string.Empty)
            .TaggedRule("nat", "PREROUTING", ["-p", "tcp", "--dport", port], ["-j", "REDIRECT", "--to-ports", proxyPort]);
    }
}
