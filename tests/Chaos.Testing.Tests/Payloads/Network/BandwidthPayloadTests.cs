using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>Bandwidth limits for real: tbf on the pod's eth0 (egress) or on its ifb (ingress), measured with iperf3 (TCP, 2 s).</summary>
public sealed class BandwidthPayloadTests(ITestOutputHelper output)
{
    private const long Rate = 8_000_000;

    [PayloadTheory("ip", "tc", "iptables", "iptables-save", "iperf3")]
    [InlineData("Egress")]
    [InlineData("Ingress")]
    public async Task Bandwidth_CutsThroughputToTheRate(string directionName)
    {
        var direction = Enum.Parse<NetworkDirection>(directionName);
        using var pair = new NetnsPair();
        var tag = $"b-{pair.Suffix}";
        var script = new PayloadScript(tag).AddBandwidth(new BandwidthFaultSpec(new BandwidthLimit(Rate, 32 * 1024, TimeSpan.FromMilliseconds(50)), direction));
        var before = NetTools.State(pair.Pod);

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        var measured = await SendThroughAsync(pair, direction);
        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        output.WriteLine($"{direction} tbf {Rate / 1e6} Mbit/s: measured {measured / 1e6:F2} Mbit/s ({measured / Rate:P0} of the rate)");

        measured.Should().BeInRange(Rate * 0.8, Rate * 1.2, $"TCP through a {direction} tbf of {Rate} bit/s runs at the rate ±20%");
        NetTools.State(pair.Pod).Should().Be(before, "TERM removes the tbf (and the ifb)");
    }

    [PayloadTheory("ip", "tc", "iptables", "iptables-save", "iperf3")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task IngressBandwidth_WithAFilter_LimitsOnlyTrafficFromTheMatchingPeer(bool filterMatchesThePeer)
    {
        using var pair = new NetnsPair();
        var tag = $"bf-{pair.Suffix}";
        var filter = new NetworkFilter([filterMatchesThePeer ? pair.PeerIp : "192.0.2.0/24"]);
        var script = new PayloadScript(tag).AddBandwidth(
            new BandwidthFaultSpec(new BandwidthLimit(Rate, 32 * 1024, LimitBytes: 64 * 1024), NetworkDirection.Ingress, filter));

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        var measured = await NetTools.IperfBitsPerSecondAsync(pair.Pod, pair.PodIp, pair.Peer);
        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        output.WriteLine($"ingress tbf {Rate / 1e6} Mbit/s, filter {filter.Cidrs[0]}: measured {measured / 1e6:F2} Mbit/s from {pair.PeerIp}");

        if (filterMatchesThePeer)
        {
            measured.Should().BeInRange(Rate * 0.8, Rate * 1.2, "the filter matches the peer, whose traffic is limited to the rate ±20%");
        }
        else
        {
            measured.Should().BeGreaterThan(Rate * 3, "the filter does not match the peer, whose traffic is not redirected to the ifb");
        }
    }

    /// <summary>iperf3 through the direction the tbf limits: the pod sends for egress, the peer sends to the pod for ingress.</summary>
    private static Task<double> SendThroughAsync(NetnsPair pair, NetworkDirection direction) =>
        direction == NetworkDirection.Egress
            ? NetTools.IperfBitsPerSecondAsync(pair.Peer, pair.PeerIp, pair.Pod)
            : NetTools.IperfBitsPerSecondAsync(pair.Pod, pair.PodIp, pair.Peer);
}
