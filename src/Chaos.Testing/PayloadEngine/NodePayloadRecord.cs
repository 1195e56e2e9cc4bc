namespace Chaos.Testing;

/// <summary>What recovery of a node payload needs: its pod, and what the cleanup pod is made of.</summary>
internal sealed record NodePayloadRecord
{
    /// <summary>Gets the payload pod's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>Gets the node.</summary>
    public required string Node { get; init; }

    /// <summary>Gets the payload pod's name.</summary>
    public required string Pod { get; init; }

    /// <summary>Gets the payload image (the cleanup pod uses it too).</summary>
    public required string Image { get; init; }

    /// <summary>Gets the node directory mounted at <c>/host</c>, or null.</summary>
    public string? HostPath { get; init; }

    /// <summary>Gets the script that removes the fault.</summary>
    public required string Cleanup { get; init; }
}
