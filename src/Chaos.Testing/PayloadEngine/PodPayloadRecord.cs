namespace Chaos.Testing;

/// <summary>
/// The ledger record of a pod payload: typed data only, never a script, image, capability or mount. The payload and
/// cleanup container names derive from the fault and the experiment, the capabilities and the cleanup script from the
/// fault's code (<see cref="PayloadProfile"/>, <see cref="PayloadCleanup"/>), the image from configuration.
/// </summary>
internal sealed record PodPayloadRecord
{
    /// <summary>Gets the target container (the one whose processes a payload that shares them joined).</summary>
    public required string Target { get; init; }

    /// <summary>Gets the interface a network payload shapes; null for the others.</summary>
    public string? Interface { get; init; }

    /// <summary>Gets the directory in the target container a disk fill fills (through <c>/proc/1/root</c>); null otherwise.</summary>
    public string? Path { get; init; }

    /// <summary>Gets the pod volume a disk fill fills (mounted at <see cref="PayloadProfile.VolumeMount"/>); null otherwise.</summary>
    public string? Volume { get; init; }

    /// <summary>Gets the directory that holds the fill file, derived in code from <see cref="Path"/> or <see cref="Volume"/>; null for no disk fill.</summary>
    public string? FillDirectory => Volume is not null ? PayloadProfile.VolumeMount
        : Path is null ? null
        : "/proc/1/root" + (Path == "/" ? string.Empty : Path.TrimEnd('/'));

    /// <summary>
    /// The record of <paramref name="entry"/>, every field checked against what <paramref name="profile"/>'s fault writes;
    /// throws <see cref="InvalidDataException"/> naming the field, the allowed values and the fix, before any write.
    /// </summary>
    public static PodPayloadRecord ReadValid(LedgerEntry entry, PayloadProfile profile)
    {
        var record = LedgerRecord.Read<PodPayloadRecord>(entry);
        var check = new RecordCheck(entry);
        check.Name("target", record.Target);
        if (profile.Network)
        {
            check.Interface("interface", record.Interface);
        }
        else
        {
            check.Absent("interface", record.Interface);
        }

        if (profile.FillsDisk && record.Volume is not null)
        {
            check.Name("volume", record.Volume);
            check.Absent("path", record.Path);
        }
        else if (profile.FillsDisk)
        {
            check.Path("path", record.Path, allowRoot: true);
        }
        else
        {
            check.Absent("volume", record.Volume);
            check.Absent("path", record.Path);
        }

        return record;
    }
}
