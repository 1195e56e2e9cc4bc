using System.Collections.ObjectModel;

namespace Chaos.Testing;

/// <summary>Which traffic between the targets and their peers a partition drops.</summary>
public enum PartitionDirection
{
    /// <summary>Traffic from the targets to the peers.</summary>
    To,

    /// <summary>Traffic from the peers to the targets.</summary>
    From,

    /// <summary>Both ways.</summary>
    Both,
}

/// <summary>Options of the network partition fault: the peers on the other side of it.</summary>
public sealed class NetworkPartitionOptions : PayloadOptions
{
    /// <summary>Initializes a new instance of the <see cref="NetworkPartitionOptions"/> class.</summary>
    public NetworkPartitionOptions()
        : base(NetworkFaultOptions.DefaultImage)
    {
    }

    /// <summary>Gets or sets the peer pods, resolved to their pod IPs when the fault is injected (the targets themselves are left out).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public PodTarget? Peers { get; set; }

    /// <summary>Gets peer IPv4 addresses or CIDRs (e.g. a Service CIDR or an external range).</summary>
    public Collection<string> Cidrs { get; } = [];

    /// <summary>Gets or sets which way traffic is dropped.</summary>
    /// <value>The default value is <see cref="PartitionDirection.Both"/>.</value>
    public PartitionDirection Direction { get; set; } = PartitionDirection.Both;

    internal void Validate(ICollection<string> errors)
    {
        ValidatePayload("Partition", errors);
        if (Peers is null && Cidrs.Count == 0)
        {
            errors.Add("Partition.Peers: give the peers as a pod target (o.Peers = Pods.In(\"shop\").WithLabel(\"app\", \"db\")) or as Cidrs.");
        }

        Peers?.Validate(errors);
        foreach (var cidr in Cidrs)
        {
            if (!NetworkFaultOptions.IsCidr(cidr))
            {
                errors.Add($"Partition.Cidrs: \"{cidr}\" is not an IPv4 address or CIDR; use e.g. \"10.0.0.12\" or \"10.96.0.0/12\".");
            }
        }

        if (!Enum.IsDefined(Direction))
        {
            errors.Add($"Partition.Direction: must be To, From or Both, was {(int)Direction}.");
        }
    }
}
