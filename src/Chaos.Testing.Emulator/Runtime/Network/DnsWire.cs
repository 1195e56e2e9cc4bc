using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// The DNS wire format (RFC 1035), just enough to answer one question with A and AAAA records from a table. Nothing
/// is ever forwarded: a name that is not in the table gets NXDOMAIN, so a pod asking for an outside name fails at once
/// (as on an isolated cluster) instead of waiting for a server that cannot be reached.
/// </summary>
internal static class DnsWire
{
    /// <summary>The largest reply: the classic UDP limit, which every resolver accepts without EDNS.</summary>
    public const int MaxReply = 512;

    private const int HeaderSize = 12;
    private const ushort TypeA = 1;
    private const ushort TypeAaaa = 28;
    private const ushort TypeAny = 255;
    private const ushort ClassIn = 1;
    private const int FormatError = 1;
    private const int NameError = 3; // NXDOMAIN
    private const int NotImplemented = 4;
    private const int Refused = 5;

    // Short, like CoreDNS's default for cluster names: a name that moves to other endpoints is seen again soon.
    private const uint TimeToLive = 5;

    /// <summary>
    /// The reply to <paramref name="query"/>, or null when it must not be answered (too short to hold a header, or
    /// itself a reply). Names are matched in lowercase without the trailing dot; <paramref name="zone"/> is the domain
    /// this server is the authority for (unknown names there get the AA bit with their NXDOMAIN).
    /// </summary>
    public static byte[]? Reply(ReadOnlySpan<byte> query, IReadOnlyDictionary<string, IPAddress[]> records, string zone)
    {
        if (query.Length < HeaderSize)
        {
            return null;
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(query[2..]);
        if ((flags & 0x8000) != 0)
        {
            return null; // a reply: answering it could start a loop between two servers
        }

        var opcode = (flags >> 11) & 0xF;
        var recursionDesired = flags & 0x0100;
        if (opcode != 0)
        {
            return Header(query, opcode, recursionDesired, NotImplemented, authoritative: false, [], []);
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1 || !TryReadQuestion(query, out var name, out var end))
        {
            return Header(query, opcode, recursionDesired, FormatError, authoritative: false, [], []);
        }

        var question = query[HeaderSize..end];
        var type = BinaryPrimitives.ReadUInt16BigEndian(question[^4..]);
        var klass = BinaryPrimitives.ReadUInt16BigEndian(question[^2..]);
        var inZone = name == zone || name.EndsWith('.' + zone, StringComparison.Ordinal);
        if (klass != ClassIn)
        {
            return Header(query, opcode, recursionDesired, Refused, authoritative: false, question, []);
        }

        if (!records.TryGetValue(name, out var addresses))
        {
            return Header(query, opcode, recursionDesired, NameError, inZone, question, []);
        }

        // A known name with no address of the asked type is NOERROR without answers (NODATA), not NXDOMAIN: a
        // resolver that asks for AAAA first must go on to ask for A.
        var answers = addresses.Where(a =>
            (a.AddressFamily == AddressFamily.InterNetwork && type is TypeA or TypeAny)
            || (a.AddressFamily == AddressFamily.InterNetworkV6 && type is TypeAaaa or TypeAny)).ToArray();
        return Header(query, opcode, recursionDesired, 0, authoritative: true, question, answers);
    }

    /// <summary>Reads the single question: the name (labels, lowercased, no compression in a question) and where it ends.</summary>
    private static bool TryReadQuestion(ReadOnlySpan<byte> query, out string name, out int end)
    {
        var text = new StringBuilder();
        var at = HeaderSize;
        name = string.Empty;
        end = 0;
        while (true)
        {
            if (at >= query.Length)
            {
                return false;
            }

            int length = query[at++];
            if (length == 0)
            {
                break;
            }

            if (length > 63 || at + length > query.Length || text.Length + length + 1 > 255)
            {
                return false; // a compression pointer, an over-long label or name, or a label cut short
            }

            if (text.Length > 0)
            {
                text.Append('.');
            }

            text.Append(Encoding.Latin1.GetString(query.Slice(at, length)).ToLowerInvariant());
            at += length;
        }

        if (at + 4 > query.Length)
        {
            return false;
        }

        name = text.ToString();
        end = at + 4;
        return true;
    }

    private static byte[] Header(
        ReadOnlySpan<byte> query, int opcode, int recursionDesired, int code, bool authoritative, ReadOnlySpan<byte> question, IPAddress[] answers)
    {
        var reply = new List<byte>(MaxReply);
        var flags = 0x8000 | (opcode << 11) | (authoritative ? 0x0400 : 0) | recursionDesired | code;
        var fitting = new List<byte[]>();
        var size = HeaderSize + question.Length;
        foreach (var data in answers.Select(a => a.GetAddressBytes()))
        {
            size += 12 + data.Length;
            if (size > MaxReply)
            {
                break; // the rest does not fit: a subset is a valid answer, and no resolver needs all
            }

            fitting.Add(data);
        }

        reply.AddRange(query[..2].ToArray()); // the id
        Add16(reply, flags);
        Add16(reply, question.IsEmpty ? 0 : 1);
        Add16(reply, fitting.Count);
        Add16(reply, 0);
        Add16(reply, 0);
        reply.AddRange(question.ToArray());
        foreach (var data in fitting)
        {
            Add16(reply, 0xC000 | HeaderSize); // the name: a pointer to the question's
            Add16(reply, data.Length == 4 ? TypeA : TypeAaaa);
            Add16(reply, ClassIn);
            Add16(reply, (int)(TimeToLive >> 16));
            Add16(reply, (int)(TimeToLive & 0xFFFF));
            Add16(reply, data.Length);
            reply.AddRange(data);
        }

        return [.. reply];
    }

    private static void Add16(List<byte> bytes, int value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }
}
