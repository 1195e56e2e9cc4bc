using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Testing;

/// <summary>
/// A fault's typed recovery record, kept as the <c>recovery</c> object of its ledger entry. Reading it back checks its
/// shape: an entry whose record does not parse is reported with the fault and the reason, and nothing is written.
/// </summary>
internal static class LedgerRecord
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>The record as the JSON object stored in the entry.</summary>
    public static JsonObject ToJson<TRecord>(TRecord record) => JsonSerializer.SerializeToNode(record, Options)!.AsObject();

    /// <summary>The record of <paramref name="entry"/>; throws <see cref="InvalidDataException"/> naming the entry when it does not parse.</summary>
    public static TRecord Read<TRecord>(LedgerEntry entry)
        where TRecord : class
    {
        try
        {
            return entry.Recovery.Deserialize<TRecord>(Options)
                ?? throw new JsonException("the record is null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"the ledger entry of experiment {entry.Experiment} has a recovery record that is not what {entry.Fault} writes: {ex.Message} "
                + "Nothing was changed; the entry stays for a person to inspect.", ex);
        }
    }
}
