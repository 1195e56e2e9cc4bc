namespace Chaos.Testing;

/// <summary>What recovery of a pod payload needs: the payload container, and what its cleanup container is made of.</summary>
internal sealed record PodPayloadRecord
{
    /// <summary>Gets the payload's ephemeral container name.</summary>
    public required string Container { get; init; }

    /// <summary>Gets the payload image (the cleanup container uses it too).</summary>
    public required string Image { get; init; }

    /// <summary>Gets the container whose namespaces the payload joined.</summary>
    public required string Target { get; init; }

    /// <summary>Gets the capabilities the payload had.</summary>
    public required IReadOnlyList<string> Capabilities { get; init; }

    /// <summary>Gets the script that removes the fault.</summary>
    public required string Cleanup { get; init; }

    /// <summary>Gets the payload's process name.</summary>
    public required string Process { get; init; }

    /// <summary>Gets a value indicating whether the payload acts once and ends.</summary>
    public bool OneShot { get; init; }

    /// <summary>Gets the pod volumes the payload mounted (name → path).</summary>
    public IReadOnlyDictionary<string, string> Mounts { get; init; } = new Dictionary<string, string>();
}
