using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>
/// Loss for real: this kernel has no netem, so the payload falls back at run time to iptables <c>statistic</c>; the
/// loss is measured with fast pings from the peer and must lie within 4 standard deviations of the binomial expectation.
/// </summary>
public sealed class LossPayloadTests(ITestOutputHelper output)
{
    private const int N = 400;
    private const double Percent = 30;

    [PayloadTheory("ip", "tc", "iptables", "iptables-save", "ping")]
    [InlineData("Egress")]
    [InlineData("Ingress")]
    [InlineData("Both")]
    public async Task Loss_DropsTheConfiguredShareOfPackets_WithinBinomialTolerance(string directionName)
    {
        var direction = Enum.Parse<NetworkDirection>(directionName);
        using var pair = new NetnsPair();
        var tag = $"l-{pair.Suffix}";
        var script = new PayloadScript(tag).AddNetem(new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(Percent) }, direction));

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        var (sent, received) = NetTools.Ping(pair.Peer, pair.PodIp, N, interval: 0.002);
        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);

        // A ping is lost when its request (ingress) or its reply (egress) is dropped.
        var p = Percent / 100;
        var expected = direction == NetworkDirection.Both ? 1 - ((1 - p) * (1 - p)) : p;
        var observed = 1 - (received / (double)sent);
        var sd = Math.Sqrt(expected * (1 - expected) / sent);
        var path = payload.Output.Contains("via iptables statistic", StringComparison.Ordinal) ? "iptables statistic" : "netem";
        output.WriteLine($"{direction} loss via {path}: observed {observed:P1} ({sent - received} of n={sent}), expected {expected:P1} (p={p}), sd {sd:P2}");
        observed.Should().BeApproximately(expected, 4 * sd,
            $"the loss of n={sent} pings through a {direction} loss of p={p} ({path}) is binomial: expected {expected:P1} ± 4 sd ({4 * sd:P1})");
    }

    [PayloadFact("ip", "tc", "iptables", "iptables-save", "ping")]
    public async Task Loss_WithAFilterNotMatchingThePeer_DropsNothing()
    {
        using var pair = new NetnsPair();
        var tag = $"lf-{pair.Suffix}";
        var script = new PayloadScript(tag).AddNetem(
            new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(50) }, NetworkDirection.Both, new NetworkFilter(["192.0.2.0/24"])));

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        var (sent, received) = NetTools.Ping(pair.Peer, pair.PodIp, 200, interval: 0.002);
        var tagged = NetTools.TaggedRules(pair.Pod, NetworkPayloads.RuleComment(tag));
        output.WriteLine($"filter 192.0.2.0/24, 50% loss: {sent - received} of {sent} pings from {pair.PeerIp} lost; {tagged.Count} tagged rules");

        received.Should().Be(sent, "the loss is limited to 192.0.2.0/24, not the peer");
        tagged.Should().HaveCount(2).And.OnlyContain(r => r.Contains("192.0.2.0/24", StringComparison.Ordinal), "the rules exist, for the filter's CIDR only");
    }
}
