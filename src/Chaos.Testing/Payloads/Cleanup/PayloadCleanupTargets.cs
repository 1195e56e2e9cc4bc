namespace Chaos.Testing;

/// <summary>What a payload's cleanup looks at besides its tag: the interface its qdiscs are on, the file it filled.</summary>
/// <param name="Interface">The network interface of a network payload (validated), or null.</param>
/// <param name="FillFile">The fill file of a disk fill (an absolute path), or null.</param>
internal sealed record PayloadCleanupTargets(string? Interface = null, string? FillFile = null);
