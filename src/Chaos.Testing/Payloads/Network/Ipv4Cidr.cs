using System.Globalization;

namespace Chaos.Testing;

/// <summary>Strict parsing of the IPv4 addresses and CIDRs given to network payloads.</summary>
internal static class Ipv4Cidr
{
    /// <summary>
    /// The canonical form of <paramref name="text"/>: <c>a.b.c.d/len</c> with the host bits cleared (an address alone is
    /// <c>/32</c>). Throws <see cref="ArgumentException"/> for anything else, IPv6 included (not supported yet).
    /// </summary>
    public static string Canonical(string text, string paramName)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("An address or CIDR is empty.", paramName);
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? text : text[..slash];
        var prefix = 32;
        if (slash >= 0 && !(int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) && prefix <= 32))
        {
            throw new ArgumentException($"\"{text}\" has a prefix length outside 0-32.", paramName);
        }

        var parts = address.Split('.');
        if (parts.Length != 4 || !parts.All(p => p.Length is > 0 and <= 3 && byte.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var why = address.Contains(':', StringComparison.Ordinal) ? "IPv6 is not supported by network payloads yet" : "expected a.b.c.d or a.b.c.d/len";
            throw new ArgumentException($"\"{text}\" is not an IPv4 address or CIDR: {why}.", paramName);
        }

        var value = parts.Aggregate(0u, (acc, p) => (acc << 8) | byte.Parse(p, CultureInfo.InvariantCulture));
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        value &= mask;
        return string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}/{prefix}");
    }
}
