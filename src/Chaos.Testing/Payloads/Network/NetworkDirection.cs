namespace Chaos.Testing;

/// <summary>Which traffic of the pod's interface a network fault affects.</summary>
internal enum NetworkDirection
{
    /// <summary>Traffic the pod sends (for a partition: traffic to the peers).</summary>
    Egress,

    /// <summary>Traffic the pod receives, shaped on an ifb device (for a partition: traffic from the peers).</summary>
    Ingress,

    /// <summary>Both directions.</summary>
    Both,
}
