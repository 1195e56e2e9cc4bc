using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>An IPv4 CIDR block, as a number: enough arithmetic to carve ranges, test overlaps and number addresses.</summary>
/// <param name="Network">The first address, host bits zero.</param>
/// <param name="PrefixLength">The prefix length, 0 to 32.</param>
internal readonly record struct Ipv4Range(uint Network, int PrefixLength)
{
    /// <summary>Gets the last address of the block (its broadcast address).</summary>
    public uint Last => Network | ~Mask(PrefixLength);

    /// <summary>Gets the number of addresses in the block.</summary>
    public long Size => 1L << (32 - PrefixLength);

    /// <summary>The block that holds <paramref name="address"/> under <paramref name="prefixLength"/> (host bits cleared).</summary>
    public static Ipv4Range Around(uint address, int prefixLength) => new(address & Mask(prefixLength), prefixLength);

    /// <summary>
    /// Parses <c>a.b.c.d/len</c> (a bare address is a /32). Strict: the host bits must be zero, so that a typo such
    /// as <c>10.213.5.0/22</c> is reported instead of silently meaning <c>10.213.4.0/22</c>.
    /// </summary>
    public static bool TryParse(string? text, out Ipv4Range range, out string problem)
    {
        range = default;
        problem = string.Empty;
        var parts = (text ?? string.Empty).Trim().Split('/');
        var prefix = 32;
        if (parts.Length > 2
            || !IPAddress.TryParse(parts[0], out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || parts[0].Count(c => c == '.') != 3
            || (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32)))
        {
            problem = $"'{text}' is not an IPv4 CIDR such as 10.213.4.0/22";
            return false;
        }

        var value = ToNumber(address);
        range = Around(value, prefix);
        if (range.Network != value)
        {
            problem = $"'{text}' has host bits set: the block is {range}";
            return false;
        }

        return true;
    }

    /// <summary>The address as a number (network byte order read as big-endian).</summary>
    public static uint ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        return address.TryWriteBytes(bytes, out var written) && written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
    }

    /// <summary>The number as an address.</summary>
    public static IPAddress ToAddress(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>The address <paramref name="offset"/> places after the network address.</summary>
    public IPAddress At(uint offset) => ToAddress(Network + offset);

    /// <summary>Whether the two blocks share an address.</summary>
    public bool Overlaps(Ipv4Range other) => Network <= other.Last && other.Network <= Last;

    /// <summary>Whether <paramref name="address"/> lies in the block.</summary>
    public bool Contains(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && ToNumber(address) >= Network && ToNumber(address) <= Last;

    /// <inheritdoc/>
    public override string ToString() => $"{ToAddress(Network)}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    private static uint Mask(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
}
