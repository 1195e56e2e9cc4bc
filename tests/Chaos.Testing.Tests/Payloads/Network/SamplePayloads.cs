using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>The network payloads the cleanup tests install: filtered and unfiltered, tc and iptables.</summary>
internal static class SamplePayloads
{
    /// <summary>The payload of <paramref name="kind"/> (partition, loss, bandwidth, filtered-bandwidth) between the pair, tagged <paramref name="tag"/>.</summary>
    public static PayloadScript For(string kind, NetnsPair pair, string tag)
    {
        var script = new PayloadScript(tag);
        var peers = new NetworkFilter([pair.PeerIp, "192.0.2.0/24"], [80, 443]);
        var bucket = new BandwidthLimit(8_000_000, 32 * 1024, TimeSpan.FromMilliseconds(50));
        return kind switch
        {
            "partition" => script.AddPartition(new PartitionFaultSpec(peers, NetworkDirection.Both)),
            "loss" => script.AddNetem(new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(30) }, NetworkDirection.Both, peers)),
            "bandwidth" => script.AddBandwidth(new BandwidthFaultSpec(bucket, NetworkDirection.Both)),
            "filtered-bandwidth" => script.AddBandwidth(new BandwidthFaultSpec(bucket, NetworkDirection.Ingress, peers)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such payload"),
        };
    }
}
