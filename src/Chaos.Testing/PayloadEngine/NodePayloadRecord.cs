namespace Chaos.Testing;

/// <summary>
/// The ledger record of a node payload: typed data only. The pod's name derives from the fault, the experiment and
/// <see cref="Index"/>; its namespace and image come from configuration (the run's options, or the janitor's
/// <c>SweepOptions</c>), its script and mounts from the fault's code; a disk fill's node directory is the validated
/// <see cref="Path"/>.
/// </summary>
internal sealed record NodePayloadRecord
{
    /// <summary>Gets the node (it must be the node that carries the entry).</summary>
    public required string Node { get; init; }

    /// <summary>Gets the index of the node in its run: the payload pod is <c>chaos-&lt;fault&gt;-&lt;experiment&gt;-&lt;index&gt;</c>.</summary>
    public required int Index { get; init; }

    /// <summary>Gets the node directory a node disk fill fills (mounted with hostPath); null for the others.</summary>
    public string? Path { get; init; }

    /// <summary>The payload pod's name.</summary>
    public static string PodName(string fault, string experiment, int index) => $"chaos-{fault}-{experiment}-{index}";

    /// <summary>The record of <paramref name="entry"/> on <paramref name="node"/>, every field checked; throws <see cref="InvalidDataException"/> before any write.</summary>
    public static NodePayloadRecord ReadValid(LedgerEntry entry, string node, PayloadProfile profile)
    {
        var record = LedgerRecord.Read<NodePayloadRecord>(entry);
        var check = new RecordCheck(entry);
        check.Name("node", record.Node);
        if (record.Node != node)
        {
            check.Fail("node", record.Node, $"the node that carries the entry, \"{node}\"");
        }

        if (record.Index is < 0 or > 9999)
        {
            check.Fail("index", record.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), "0 to 9999");
        }

        if (profile.FillsDisk)
        {
            check.Path("path", record.Path, allowRoot: false);
        }
        else
        {
            check.Absent("path", record.Path);
        }

        return record;
    }
}
