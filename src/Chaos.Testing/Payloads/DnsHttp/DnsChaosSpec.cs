using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Chaos.Testing;

/// <summary>
/// What the DNS payload injects (see <see cref="DnsChaosPayload"/>). <see cref="DnsChaosAction.Block"/> needs only
/// iptables; <see cref="DnsChaosAction.Fail"/> and <see cref="DnsChaosAction.WrongAddress"/> run a DNS proxy
/// (python3) on 127.0.0.1:<see cref="ProxyPort"/>.
/// </summary>
/// <param name="Action">What happens to resolution.</param>
internal sealed record DnsChaosSpec(DnsChaosAction Action)
{
    /// <summary>The default port of the DNS proxy on the pod's loopback.</summary>
    public const int DefaultProxyPort = 15353;

    /// <summary>The default firewall mark of the proxy's own upstream queries (they must not be redirected to itself).</summary>
    public const int DefaultMark = 0xC4A05;

    /// <summary>Gets the shell-style patterns (<c>*</c>, <c>?</c>) of the names affected, e.g. <c>*.example.com</c>, <c>api.shop.svc.cluster.local</c>; matched case-insensitively against the whole name as queried (after the resolver applied its search list), so <c>*.example.com</c> does not match <c>example.com</c>.</summary>
    public IReadOnlyList<string> Patterns { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether <see cref="DnsChaosAction.Block"/> drops the answers (filter INPUT, from port 53)
    /// rather than the queries (filter OUTPUT, to port 53). Dropping queries fails resolution at once (the sender gets
    /// EPERM); dropping answers lets resolvers wait for their timeout, as in a real DNS outage.
    /// </summary>
    public bool DropAnswers { get; init; }

    /// <summary>Gets the IPv4 address matching names resolve to with <see cref="DnsChaosAction.WrongAddress"/>.</summary>
    public IPAddress? Address { get; init; }

    /// <summary>Gets the resolv.conf whose first nameserver gets the queries the proxy does not answer itself: <c>/etc/resolv.conf</c> (the pod's, in an ephemeral container) or the target's at <c>/proc/1/root/etc/resolv.conf</c>.</summary>
    public string ResolvConfPath { get; init; } = "/etc/resolv.conf";

    /// <summary>Gets the port of the DNS proxy on 127.0.0.1 (UDP and TCP); it must be free in the pod.</summary>
    public int ProxyPort { get; init; } = DefaultProxyPort;

    /// <summary>Gets the firewall mark (SO_MARK, needs NET_ADMIN) the proxy puts on its upstream queries; the REDIRECT rules skip packets with this mark.</summary>
    public int Mark { get; init; } = DefaultMark;

    /// <summary>Adds every problem of this spec to <paramref name="errors"/>, each naming the field, the value and the fix.</summary>
    public void Validate(ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!Enum.IsDefined(Action))
        {
            errors.Add($"DnsChaos.Action: must be Block, Fail or WrongAddress, was {Action}.");
            return;
        }

        if (Action == DnsChaosAction.Block)
        {
            if (Patterns.Count > 0)
            {
                errors.Add($"DnsChaos.Patterns: Block fails every name, so patterns do not apply, were {string.Join(", ", Patterns)}; leave them empty, or use Fail to fail only those names.");
            }
        }
        else
        {
            if (DropAnswers)
            {
                errors.Add($"DnsChaos.DropAnswers: only Block drops packets, was set with {Action}; remove it.");
            }

            ValidatePatterns(errors);
            ValidateProxy(errors);
        }

        if (Action == DnsChaosAction.WrongAddress && Address?.AddressFamily != AddressFamily.InterNetwork)
        {
            errors.Add($"DnsChaos.Address: WrongAddress needs an IPv4 address, e.g. 192.0.2.1, was {Address?.ToString() ?? "none"}.");
        }
        else if (Action != DnsChaosAction.WrongAddress && Address is not null)
        {
            errors.Add($"DnsChaos.Address: only WrongAddress uses an address, was {Address} with {Action}; remove it.");
        }
    }

    private void ValidatePatterns(ICollection<string> errors)
    {
        if (Patterns.Count == 0)
        {
            errors.Add($"DnsChaos.Patterns: {Action} needs at least one name pattern, e.g. \"*.example.com\" or \"api.shop.svc.cluster.local\" (use Block to fail every name).");
        }

        foreach (var pattern in Patterns)
        {
            if (string.IsNullOrEmpty(pattern) || pattern.Length > 253 || !pattern.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '*' or '?'))
            {
                errors.Add($"DnsChaos.Patterns: \"{pattern}\" must be 1 to 253 characters of letters, digits, '-', '_', '.', and the wildcards '*' and '?', e.g. \"*.example.com\".");
            }
        }
    }

    private void ValidateProxy(ICollection<string> errors)
    {
        if (ProxyPort is < 1 or > 65535 or 53)
        {
            errors.Add($"DnsChaos.ProxyPort: must be a free port from 1 to 65535 other than 53, was {ProxyPort.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (Mark <= 0)
        {
            errors.Add($"DnsChaos.Mark: must be a positive firewall mark not used in the pod, was {Mark.ToString(CultureInfo.InvariantCulture)}; the default is 0x{DefaultMark:X}.");
        }

        if (!ResolvConfPath.StartsWith('/') || ResolvConfPath.Any(char.IsControl))
        {
            errors.Add($"DnsChaos.ResolvConfPath: must be an absolute path such as /etc/resolv.conf or /proc/1/root/etc/resolv.conf, was \"{ResolvConfPath}\".");
        }
    }
}
