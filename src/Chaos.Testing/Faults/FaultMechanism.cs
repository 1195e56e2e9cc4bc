namespace Chaos.Testing;

/// <summary>How a fault changes the cluster: what the conformance suite expects to see while it holds.</summary>
internal enum FaultMechanism
{
    /// <summary>It deletes the targets (their owners replace them); no ledger entry, nothing to restore.</summary>
    Delete,

    /// <summary>It changes the targets themselves (images, cordon, taint, or a user's change) with a ledger entry in the same write.</summary>
    Write,

    /// <summary>It adds a payload in an ephemeral container of each target pod, after a ledger entry on the pod.</summary>
    PodPayload,

    /// <summary>It runs a payload in a pod pinned to each target node, after a ledger entry on the node.</summary>
    NodePayload,
}
