namespace Chaos.Testing;

/// <summary>What a fault acts on.</summary>
[Flags]
internal enum FaultTargetKind
{
    /// <summary>Pods.</summary>
    Pod = 1,

    /// <summary>Nodes.</summary>
    Node = 2,
}
