using System.Diagnostics;
using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>Partitions for real: iptables in the pod's network namespace, measured with pings and TCP connections from both ends.</summary>
public sealed class PartitionPayloadTests(ITestOutputHelper output)
{
    private const int Pings = 20;

    [PayloadTheory("ip", "iptables", "iptables-save", "ping")]
    [InlineData("Egress")]
    [InlineData("Ingress")]
    [InlineData("Both")]
    public async Task Partition_DropsEveryPacketBetweenPodAndPeer_InTheGivenDirection(string directionName)
    {
        var direction = Enum.Parse<NetworkDirection>(directionName);
        using var pair = new NetnsPair();
        var tag = $"p-{pair.Suffix}";
        var script = new PayloadScript(tag).AddPartition(new PartitionFaultSpec(new NetworkFilter([pair.PeerIp]), direction));
        var before = NetTools.State(pair.Pod);
        NetTools.Ping(pair.Peer, pair.PodIp, Pings).Received.Should().Be(Pings, "the pair is connected before the partition");

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        var (podEchos, peerEchos) = (NetTools.IcmpInEchos(pair.Pod), NetTools.IcmpInEchos(pair.Peer));
        var inward = NetTools.Ping(pair.Peer, pair.PodIp, Pings);
        var outward = NetTools.Ping(pair.Pod, pair.PeerIp, Pings);
        var (podReached, peerReached) = (NetTools.IcmpInEchos(pair.Pod) - podEchos, NetTools.IcmpInEchos(pair.Peer) - peerEchos);
        output.WriteLine($"{direction}: peer->pod {inward.Received}/{inward.Sent} answered, pod->peer {outward.Received}/{outward.Sent} answered; " +
            $"echo requests reaching the pod {podReached}, reaching the peer {peerReached}");

        inward.Received.Should().Be(0, $"every one of the {inward.Sent} pings from the peer is dropped (request or reply)");
        outward.Received.Should().Be(0, $"every one of the {outward.Sent} pings from the pod is dropped (request or reply)");
        podReached.Should().Be(direction == NetworkDirection.Egress ? Pings : 0, "only an ingress partition stops the peer's requests reaching the pod");
        peerReached.Should().Be(direction == NetworkDirection.Ingress ? Pings : 0, "only an egress partition stops the pod's requests reaching the peer");

        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        NetTools.Ping(pair.Peer, pair.PodIp, Pings).Received.Should().Be(Pings, "the partition is gone after TERM");
        NetTools.Ping(pair.Pod, pair.PeerIp, Pings).Received.Should().Be(Pings, "the partition is gone after TERM");
        NetTools.State(pair.Pod).Should().Be(before);
    }

    [PayloadFact("ip", "iptables", "iptables-save", "ping", "nc", "ss")]
    public async Task Partition_OfAPeersPort_DropsOnlyThatPort()
    {
        using var pair = new NetnsPair();
        var tag = $"pp-{pair.Suffix}";
        var script = new PayloadScript(tag).AddPartition(new PartitionFaultSpec(new NetworkFilter([pair.PeerIp], [7000])));
        using var listener = Listen(pair.Peer, pair.PeerIp, 7000);
        using var other = Listen(pair.Peer, pair.PeerIp, 7001);
        Connects(pair, 7000).Should().Be(5, "the peer's port is reachable before the partition");

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        var blocked = Connects(pair, 7000);
        var open = Connects(pair, 7001);
        var pings = NetTools.Ping(pair.Pod, pair.PeerIp, Pings);
        output.WriteLine($"during: port 7000 {blocked}/5 connects, port 7001 {open}/5, pings {pings.Received}/{pings.Sent}");
        blocked.Should().Be(0, "TCP to the partitioned port is dropped");
        open.Should().Be(5, "another port of the peer is not partitioned");
        pings.Received.Should().Be(Pings, "ICMP is not partitioned");

        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        Connects(pair, 7000).Should().Be(5, "the port is reachable again after TERM");
    }

    /// <summary>How many of 5 TCP connections from the pod to the peer's port succeed (1 s timeout each).</summary>
    private static int Connects(NetnsPair pair, int port) =>
        Enumerable.Range(0, 5).Count(_ => NetTools.RunAnyExit(pair.Pod, "nc", "-z", "-w", "1", pair.PeerIp, NetTools.Invariant(port)).Exit == 0);

    private static Listener Listen(string ns, string ip, int port)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", ns, "nc", "-k", "-l", ip, NetTools.Invariant(port) })
        {
            start.ArgumentList.Add(arg);
        }

        var listener = new Listener(Process.Start(start)!);
        var waited = Stopwatch.StartNew();
        while (!NetnsPair.Exec(ns, "ss", "-ltnH").Contains($"{ip}:{port}", StringComparison.Ordinal))
        {
            waited.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), $"nc listens on {ip}:{port}");
            Thread.Sleep(20);
        }

        return listener;
    }

    private sealed class Listener(Process process) : IDisposable
    {
        public void Dispose()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }
}
