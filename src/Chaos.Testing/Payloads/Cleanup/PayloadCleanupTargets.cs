namespace Chaos.Testing;

/// <summary>What a payload's cleanup looks at besides its tag: the interface its qdiscs are on, the file it filled.</summary>
/// <param name="Interface">The network interface of a network payload (validated), or null.</param>
/// <param name="FillFile">The fill file of a disk fill (an absolute path), or null.</param>
/// <param name="SeesPayload">
/// Whether the cleanup shares the payload's PID namespace, so it can stop and check the payload's processes. When not,
/// the script neither stops nor lists processes (it would find none and claim none are left): the payload stops itself
/// once the cleanup deleted its marker rule, and the engine checks that by the payload container's status.
/// </param>
internal sealed record PayloadCleanupTargets(string? Interface = null, string? FillFile = null, bool SeesPayload = true);
