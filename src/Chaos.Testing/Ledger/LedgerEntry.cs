using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Chaos.Testing;

/// <summary>
/// What one experiment changed on one object and what recovery needs, stored as the JSON value of the annotation
/// <c>chaos.testing/ledger-&lt;experiment id&gt;</c> in the same write as the change itself, so the change never exists
/// without its ledger entry.
/// </summary>
internal sealed record LedgerEntry
{
    [JsonPropertyName("experiment")]
    public required string Experiment { get; init; }

    /// <summary>Gets the fault, e.g. <c>pod-failure</c>, <c>node-drain</c>, <c>node-taint</c>, <c>custom</c>.</summary>
    [JsonPropertyName("fault")]
    public required string Fault { get; init; }

    /// <summary>Gets the run's own deadline (its clock): it stops renewing its Lease then. For people; the janitor judges liveness by the Lease.</summary>
    [JsonPropertyName("deadline")]
    public required DateTimeOffset Deadline { get; init; }

    [JsonPropertyName("owner")]
    public required RunOwner Owner { get; init; }

    /// <summary>Gets what recovery needs (fault-specific), e.g. the original images or the taint that was added.</summary>
    [JsonPropertyName("recovery")]
    public JsonObject Recovery { get; init; } = [];

    /// <summary>Gets the HMAC of the entry (without this field) and the object that carries it (see <see cref="LedgerKey"/>).</summary>
    [JsonPropertyName("seal")]
    public string? Seal { get; init; }

    /// <summary>Gets the key that seals the entry when <see cref="Ledger.Add"/> writes it (never serialized).</summary>
    [JsonIgnore]
    public LedgerKey? Key { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, LedgerJson.Options);

    /// <summary>The text the seal covers: the entry without its seal, as this library serializes it.</summary>
    public string UnsealedJson() => (this with { Seal = null }).ToJson();

    public static LedgerEntry? Parse(string json)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<LedgerEntry>(json, LedgerJson.Options);
            _ = entry?.Recovery.Count; // materializes the record now, so a duplicate property fails here, not later
            return entry;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            // Input from the cluster that is not an entry: the caller reports it as unreadable.
            return null;
        }
    }
}

/// <summary>The process that ran an experiment, for people reading the entry; liveness is judged by the run's Lease, never by this.</summary>
internal sealed record RunOwner
{
    [JsonPropertyName("host")]
    public required string Host { get; init; }

    [JsonPropertyName("pid")]
    public required int ProcessId { get; init; }

    [JsonPropertyName("started")]
    public required DateTimeOffset ProcessStarted { get; init; }

    public override string ToString() => $"process {ProcessId} on {Host}";
}

internal static class LedgerJson
{
    public static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
