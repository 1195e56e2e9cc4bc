using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>
/// netem payloads, run in a network namespace with a recording tc (this kernel has no netem): the exact tc command
/// lines installed and removed on TERM, each line also checked against the real tc's argument parser.
/// </summary>
public sealed class NetemPayloadTests
{
    private const string Priomap = "priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1";

    [PayloadTheory("ip", "tc", "iptables", "iptables-save")]
    [InlineData("delay")]
    [InlineData("delay-without-jitter")]
    [InlineData("loss")]
    [InlineData("corruption")]
    [InlineData("duplication")]
    [InlineData("combined")]
    [InlineData("filtered-egress")]
    [InlineData("filtered-ingress")]
    [InlineData("both")]
    public async Task Netem_RunsTheseTcCommands_AndRemovesThemOnTerm(string name)
    {
        using var pair = new NetnsPair();
        using var shim = new TcShim();
        var tag = $"n-{pair.Suffix}";
        var ifb = NetworkPayloads.IfbDevice(tag);
        var (spec, install, remove) = Case(name, pair, ifb);
        var script = new PayloadScript(tag).AddNetem(spec);
        var before = NetTools.State(pair.Pod);

        await using var payload = PayloadProcess.Start(shim.Command(script, script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        shim.Calls.Should().Equal(install, $"the payload installs exactly these commands; its output:\n{payload.Output}");
        NetTools.TaggedRules(pair.Pod, NetworkPayloads.RuleComment(tag)).Should().BeEmpty("netem is there, so no iptables fallback");
        if (spec.Direction != NetworkDirection.Egress)
        {
            NetnsPair.Exec(pair.Pod, "ip", "-o", "link", "show").Should().Contain($" {ifb}: ", "ingress goes through the payload's ifb");
        }

        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        shim.Calls.Skip(install.Length).Should().Equal(remove, "TERM removes what was installed");
        NetTools.State(pair.Pod).Should().Be(before, "the ifb device is gone too");
        shim.LinesTheRealTcCannotParse(pair.Peer).Should().BeEmpty("the real tc parses every argument the payload gives it");
    }

    [PayloadFact("ip", "tc", "iptables", "iptables-save")]
    public async Task LossOnly_WhereNetemIsMissing_FallsBackToIptablesStatistic_AndTermRemovesTheRules()
    {
        using var pair = new NetnsPair();
        using var shim = new TcShim(netemFails: true);
        var tag = $"f-{pair.Suffix}";
        var ifb = NetworkPayloads.IfbDevice(tag);
        var spec = new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(30, 25) }, NetworkDirection.Both, new NetworkFilter([pair.PeerIp], [8080]));
        var script = new PayloadScript(tag).AddNetem(spec);
        var before = NetTools.State(pair.Pod);

        await using var payload = PayloadProcess.Start(shim.Command(script, script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();

        // Each direction tries its netem tree, removes it when netem fails, and inserts the iptables rules instead.
        shim.Calls.Should().Equal(
            [
                "tc qdisc replace dev eth0 root handle 1: prio bands 4 " + Priomap,
                "tc qdisc add dev eth0 parent 1:4 handle 40: netem loss 30% 25%",
                "tc qdisc del dev eth0 root",
                $"tc qdisc replace dev {ifb} root netem loss 30% 25%",
                "tc qdisc del dev eth0 ingress",
            ],
            $"the payload's output:\n{payload.Output}");
        payload.Output.Should().Contain("chaos: netem unavailable, egress loss via iptables statistic")
            .And.Contain("chaos: netem unavailable, ingress loss via iptables statistic");
        var comment = NetworkPayloads.RuleComment(tag);
        var probability = NetTools.TaggedRules(pair.Pod, comment)[0].Split(' ').SkipWhile(a => a != "--probability").ElementAt(1);
        NetTools.TaggedRules(pair.Pod, comment).Should().BeEquivalentTo(
            $"-A OUTPUT -d {pair.PeerIp}/32 -o eth0 -p tcp -m tcp --dport 8080 -m statistic --mode random --probability {probability} -m comment --comment {comment} -j DROP",
            $"-A OUTPUT -d {pair.PeerIp}/32 -o eth0 -p udp -m udp --dport 8080 -m statistic --mode random --probability {probability} -m comment --comment {comment} -j DROP",
            $"-A INPUT -s {pair.PeerIp}/32 -i eth0 -p tcp -m tcp --sport 8080 -m statistic --mode random --probability {probability} -m comment --comment {comment} -j DROP",
            $"-A INPUT -s {pair.PeerIp}/32 -i eth0 -p udp -m udp --sport 8080 -m statistic --mode random --probability {probability} -m comment --comment {comment} -j DROP");
        double.Parse(probability, System.Globalization.CultureInfo.InvariantCulture).Should().BeApproximately(0.3, 1e-6);
        NetnsPair.Exec(pair.Pod, "ip", "-o", "link", "show").Should().NotContain(ifb, "the unused ifb was removed with the netem attempt");

        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        NetTools.State(pair.Pod).Should().Be(before, "TERM deletes the tagged rules");
    }

    /// <summary>
    /// The real tc on a kernel without sch_netem (this machine's, and a K3s node whose host lacks the module): the delay
    /// payload must say so and exit non-zero, never print the "installed" marker the engine waits for, and leave nothing.
    /// Skipped (with the reason) on a kernel that has sch_netem.
    /// </summary>
    [PayloadFact("ip", "tc", "iptables", "iptables-save", WithoutNetem = true)]
    public async Task Delay_WhereTheKernelHasNoNetem_ExitsOneWithTcsWords_AndNeverReportsInstalled()
    {
        using var pair = new NetnsPair();
        var tag = $"x-{pair.Suffix}";
        var script = new PayloadScript(tag).AddNetem(new NetemFaultSpec(new NetemEffects { Delay = new NetworkDelay(TimeSpan.FromMilliseconds(200)) }));
        var before = NetTools.State(pair.Pod);

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(1, payload.Output);
        payload.Output.Should().Contain("chaos: install failed: tc qdisc replace dev eth0 root netem delay 200ms")
            .And.NotContain(PayloadProtocol.InstalledMarker);
        NetTools.State(pair.Pod).Should().Be(before);
    }

    private static (NetemFaultSpec Spec, string[] Install, string[] Remove) Case(string name, NetnsPair pair, string ifb)
    {
        const string DelRoot = "tc qdisc del dev eth0 root";
        const string DelIngress = "tc qdisc del dev eth0 ingress";
        var redirectAll = $"tc filter add dev eth0 parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev {ifb}";
        return name switch
        {
            "delay" => (
                new NetemFaultSpec(new NetemEffects { Delay = new NetworkDelay(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(10), 25) }),
                ["tc qdisc replace dev eth0 root netem delay 100ms 10ms 25%"],
                [DelRoot]),
            "delay-without-jitter" => (
                new NetemFaultSpec(new NetemEffects { Delay = new NetworkDelay(TimeSpan.FromMicroseconds(1500)) }),
                ["tc qdisc replace dev eth0 root netem delay 1500us"],
                [DelRoot]),
            "loss" => (
                new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(30, 25) }),
                ["tc qdisc replace dev eth0 root netem loss 30% 25%"],
                [DelRoot]),
            "corruption" => (
                new NetemFaultSpec(new NetemEffects { CorruptionPercent = 5 }),
                ["tc qdisc replace dev eth0 root netem corrupt 5%"],
                [DelRoot]),
            "duplication" => (
                new NetemFaultSpec(new NetemEffects { DuplicationPercent = 2.5 }),
                ["tc qdisc replace dev eth0 root netem duplicate 2.5%"],
                [DelRoot]),
            "combined" => (
                new NetemFaultSpec(new NetemEffects
                {
                    Delay = new NetworkDelay(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(20)),
                    Loss = new NetworkLoss(1),
                    CorruptionPercent = 0.1,
                    DuplicationPercent = 1,
                }),
                ["tc qdisc replace dev eth0 root netem delay 200ms 20ms loss 1% corrupt 0.1% duplicate 1%"],
                [DelRoot]),
            "filtered-egress" => (
                new NetemFaultSpec(
                    new NetemEffects { Delay = new NetworkDelay(TimeSpan.FromMilliseconds(50)) },
                    NetworkDirection.Egress,
                    new NetworkFilter([pair.PeerIp, "10.96.7.1/12"], [80])),
                [
                    "tc qdisc replace dev eth0 root handle 1: prio bands 4 " + Priomap,
                    "tc qdisc add dev eth0 parent 1:4 handle 40: netem delay 50ms",
                    $"tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst {pair.PeerIp}/32 match ip protocol 6 0xff match ip dport 80 0xffff flowid 1:4",
                    $"tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst {pair.PeerIp}/32 match ip protocol 17 0xff match ip dport 80 0xffff flowid 1:4",
                    "tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst 10.96.0.0/12 match ip protocol 6 0xff match ip dport 80 0xffff flowid 1:4",
                    "tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst 10.96.0.0/12 match ip protocol 17 0xff match ip dport 80 0xffff flowid 1:4",
                ],
                [DelRoot]),
            "filtered-ingress" => (
                new NetemFaultSpec(
                    new NetemEffects { Delay = new NetworkDelay(TimeSpan.FromMilliseconds(50)) },
                    NetworkDirection.Ingress,
                    new NetworkFilter([pair.PeerIp])),
                [
                    $"tc qdisc replace dev {ifb} root netem delay 50ms",
                    "tc qdisc add dev eth0 handle ffff: ingress",
                    $"tc filter add dev eth0 parent ffff: protocol ip prio 1 u32 match ip src {pair.PeerIp}/32 action mirred egress redirect dev {ifb}",
                ],
                [DelIngress]),
            "both" => (
                new NetemFaultSpec(new NetemEffects { Delay = new NetworkDelay(TimeSpan.FromMilliseconds(50)) }, NetworkDirection.Both),
                [
                    "tc qdisc replace dev eth0 root netem delay 50ms",
                    $"tc qdisc replace dev {ifb} root netem delay 50ms",
                    "tc qdisc add dev eth0 handle ffff: ingress",
                    redirectAll,
                ],
                [DelIngress, DelRoot]),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };
    }
}
