namespace Chaos.Testing;

/// <summary>
/// The remote end a network fault is limited to: IPv4 addresses or CIDRs, and ports (TCP and UDP). An empty list
/// matches everything; with both lists set, a packet must match an address and a port. Egress traffic is matched on
/// its destination, ingress traffic on its source: both describe the other end of the pod's connections, so a filter
/// on a database's address and port affects the requests to it and the replies from it.
/// </summary>
/// <param name="Cidrs">IPv4 addresses (<c>10.0.0.7</c>) or CIDRs (<c>10.0.0.0/8</c>).</param>
/// <param name="Ports">Ports 1-65535 of the remote end; null or empty for every port.</param>
internal sealed record NetworkFilter(IReadOnlyList<string> Cidrs, IReadOnlyList<int>? Ports = null)
{
    /// <summary>Gets a value indicating whether the filter restricts nothing.</summary>
    public bool IsEmpty => Cidrs.Count == 0 && (Ports is null || Ports.Count == 0);

    /// <summary>
    /// The filter as a list of alternatives (any one matching is enough), each a canonical CIDR or null (any address),
    /// and a port with its protocol or null (any port).
    /// </summary>
    internal IReadOnlyList<(string? Cidr, (string Protocol, int Port)? Port)> Alternatives(string paramName)
    {
        ArgumentNullException.ThrowIfNull(Cidrs, paramName);
        var cidrs = Cidrs.Count == 0 ? [null] : Cidrs.Select(c => (string?)Ipv4Cidr.Canonical(c, paramName)).Distinct().ToList();
        var ports = Ports is null || Ports.Count == 0
            ? [null]
            : Ports.Distinct().SelectMany(p => ValidPort(p, paramName)).Select(p => ((string, int)?)p).ToList();
        return cidrs.SelectMany(c => ports.Select(p => (c, p))).ToList();
    }

    private static IEnumerable<(string Protocol, int Port)> ValidPort(int port, string paramName)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentException($"A filter port is 1-65535, was {port}.", paramName);
        }

        return [("tcp", port), ("udp", port)];
    }
}
