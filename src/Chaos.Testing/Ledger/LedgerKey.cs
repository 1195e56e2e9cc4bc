using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// The per-cluster secret that authenticates ledger entries: an HMAC-SHA256 over the entry and the identity of the object
/// that carries it (uid, namespace, name, annotation key). Someone who can write annotations but cannot read the key cannot
/// make an entry the janitor or a run accepts, alter one, or copy one onto another object.
/// </summary>
internal sealed class LedgerKey
{
    /// <summary>The shortest key accepted, in bytes.</summary>
    public const int MinimumBytes = 32;

    private const string Domain = "chaos.testing/ledger/v1";

    private readonly byte[] _bytes;

    public LedgerKey(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < MinimumBytes)
        {
            throw new ArgumentException($"A ledger key has at least {MinimumBytes} bytes; the one from {source} has {bytes.Length}.", nameof(bytes));
        }

        _bytes = (byte[])bytes.Clone();
        Source = source;
    }

    /// <summary>Gets where the key came from, for messages (never the key itself).</summary>
    public string Source { get; }

    /// <summary>A new random key.</summary>
    public static byte[] NewBytes() => RandomNumberGenerator.GetBytes(MinimumBytes);

    /// <summary>The seal of <paramref name="unsealedJson"/> (the entry without its seal) on the object <paramref name="metadata"/>.</summary>
    public string Seal(V1ObjectMeta metadata, string annotationKey, string unsealedJson)
    {
        var message = Encoding.UTF8.GetBytes(string.Join('\n', Domain, metadata.Uid ?? string.Empty, metadata.NamespaceProperty ?? string.Empty, metadata.Name ?? string.Empty, annotationKey, unsealedJson));
        return Convert.ToBase64String(HMACSHA256.HashData(_bytes, message));
    }

    /// <summary>Whether <paramref name="seal"/> is the seal of the entry on <paramref name="metadata"/> (constant time).</summary>
    public bool Verifies(V1ObjectMeta metadata, string annotationKey, string unsealedJson, string? seal)
    {
        if (string.IsNullOrEmpty(seal))
        {
            return false;
        }

        var expected = Convert.FromBase64String(Seal(metadata, annotationKey, unsealedJson));
        byte[] given;
        try
        {
            given = Convert.FromBase64String(seal);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
