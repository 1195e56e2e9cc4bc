using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Chaos.Testing.Emulator.Runtime.Network;

namespace Chaos.Testing.Emulator.Tests.Runtime.Network;

/// <summary>What a pod network keeps apart: the rest of the world, the machine's own ranges, and other pod networks.</summary>
[Collection(PodNetworkTestGroup.Name)]
public sealed class PodNetworkIsolationTests : IDisposable
{
    private readonly string _tag = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz", 6);
    private readonly List<Process> _servers = [];
    private readonly List<PodNetwork> _networks = [];
    private readonly List<string[]> _cleanup = [];

    public void Dispose()
    {
        _servers.ForEach(NetnsTools.Stop);
        _networks.ForEach(n => n.Dispose());
        Enumerable.Reverse(_cleanup).ToList().ForEach(c => NetnsTools.Run(null, c[0], c[1..]));
    }

    [RootFact]
    public async Task TrafficBetweenPodsAndAnotherInterface_DoesNotPass_EitherWay()
    {
        // Arrange: an "outside" namespace behind its own veth, with forwarding on for it, so that without the pod
        // network's FORWARD rules traffic between it and the pods would pass
        var network = Track(PodNetwork.Create());
        var pod = network.AddPod("shop/web", "shop", "web");
        _servers.Add(await NetnsTools.StartServerAsync(pod.NetnsName, "web", 8080));
        var (outsideNs, outsideIp, outsideLink) = CreateOutside();
        _servers.Add(await NetnsTools.StartServerAsync(outsideNs, "outside", 8080));
        File.WriteAllText($"/proc/sys/net/ipv4/conf/{outsideLink}/forwarding", "1");
        NetnsTools.Curl(null, $"http://{outsideIp}:8080/").Exit.Should().Be(0, "the outside server answers the host");

        // Act
        var podToOutside = NetnsTools.Curl(pod.NetnsName, $"http://{outsideIp}:8080/", seconds: 1);
        var outsideToPod = NetnsTools.Curl(outsideNs, $"http://{pod.Ip}:8080/", seconds: 1);
        var podToWorld = NetnsTools.Curl(pod.NetnsName, "http://192.0.2.1/", seconds: 1);

        // Control: with an ACCEPT for this pair ahead of the pod network's rules, the same call passes
        foreach (var (from, to) in new[] { (network.Bridge, outsideLink), (outsideLink, network.Bridge) })
        {
            _cleanup.Add(["iptables", "-w", "-D", "FORWARD", "-i", from, "-o", to, "-j", "ACCEPT"]);
            NetnsTools.Must(null, "iptables", "-w", "-I", "FORWARD", "1", "-i", from, "-o", to, "-j", "ACCEPT");
        }

        var allowed = NetnsTools.Curl(pod.NetnsName, $"http://{outsideIp}:8080/");

        // Assert
        podToOutside.Exit.Should().NotBe(0, $"a pod must not reach another interface, but got: {podToOutside.Body}");
        outsideToPod.Exit.Should().NotBe(0, $"another interface must not reach a pod, but got: {outsideToPod.Body}");
        podToWorld.Exit.Should().NotBe(0, $"a pod must not reach the machine's gateway, but got: {podToWorld.Body}");
        allowed.Should().Be((0, $"outside {pod.Ip}"), "the control shows the blocked call would otherwise pass");
    }

    [RootFact]
    public void AutomaticRange_AvoidsAnExistingRoute_AndAnExplicitOneThatCollidesIsRefused()
    {
        // Arrange: a route over the lower half of the default pod pool, on an interface of its own (a bridge: the
        // dummy driver is not in every kernel)
        var dummy = $"ctt{_tag}d";
        NetnsTools.Must(null, "ip", "link", "add", dummy, "type", "bridge");
        _cleanup.Add(["ip", "link", "del", dummy]);
        NetnsTools.Must(null, "ip", "link", "set", dummy, "up");
        NetnsTools.Must(null, "ip", "route", "add", "10.213.0.0/17", "dev", dummy);

        // Act
        var network = Track(PodNetwork.Create());
        var explicitRange = () => Track(PodNetwork.Create(new PodNetworkSettings(PodRange: "10.213.8.0/22")));

        // Assert
        Ipv4Range.TryParse(network.PodRange, out var chosen, out _).Should().BeTrue();
        chosen.Overlaps(new Ipv4Range(0x0AD5_0000, 17)).Should().BeFalse($"{network.PodRange} must avoid the route 10.213.0.0/17");
        explicitRange.Should().Throw<PodNetworkUnavailableException>()
            .WithMessage($"*10.213.8.0/22*route '10.213.0.0/17 dev {dummy}*Choose another range*");
    }

    [RootFact]
    public async Task TwoNetworksAtOnce_GetDistinctRanges_AndDoNotSeeEachOther()
    {
        // Arrange: created concurrently, as parallel tests would
        var creating = new[] { Task.Run(() => PodNetwork.Create()), Task.Run(() => PodNetwork.Create()) };
        await Task.WhenAll(creating).ContinueWith(_ => { }, TaskScheduler.Default); // both end, whatever happens
        foreach (var task in creating.Where(t => t.IsCompletedSuccessfully))
        {
            Track(await task); // disposed even if the other one failed
        }

        var (first, second) = (await creating[0], await creating[1]);
        var web = first.AddPod("shop/web", "shop", "web");
        var stranger = second.AddPod("shop/stranger", "shop", "stranger");
        _servers.Add(await NetnsTools.StartServerAsync(web.NetnsName, "web", 8080));
        Ipv4Range.TryParse(first.ServiceRange, out var serviceRange, out _).Should().BeTrue();
        var clusterIp = serviceRange.At(10);
        first.SetServices([new ServiceRoute(clusterIp, 80, "TCP", [new IPEndPoint(web.Ip, 8080)])]);

        // Act
        var fromHost = NetnsTools.Curl(null, $"http://{clusterIp}/");
        var strangerToService = NetnsTools.Curl(stranger.NetnsName, $"http://{clusterIp}/", seconds: 1);
        var strangerToPod = NetnsTools.Curl(stranger.NetnsName, $"http://{web.Ip}:8080/", seconds: 1);

        // Assert
        new[] { first.RunId, second.RunId }.Should().OnlyHaveUniqueItems();
        var ranges = new[] { first.PodRange, first.ServiceRange, second.PodRange, second.ServiceRange }
            .Select(r => Ipv4Range.TryParse(r, out var range, out _) ? range : throw new FormatException(r)).ToList();
        for (var i = 0; i < ranges.Count; i++)
        {
            for (var j = i + 1; j < ranges.Count; j++)
            {
                ranges[i].Overlaps(ranges[j]).Should().BeFalse($"{ranges[i]} and {ranges[j]} belong to different networks or roles");
            }
        }

        fromHost.Exit.Should().Be(0, fromHost.Body);
        strangerToService.Exit.Should().NotBe(0, $"a pod of another network must not reach this network's service, but got: {strangerToService.Body}");
        strangerToPod.Exit.Should().NotBe(0, $"a pod of another network must not reach this network's pod, but got: {strangerToPod.Body}");
    }

    private PodNetwork Track(PodNetwork network)
    {
        _networks.Add(network);
        return network;
    }

    /// <summary>A namespace with a veth to the host on 198.18.x.0/30 (a benchmarking range, outside every pod range).</summary>
    private (string Netns, string Ip, string HostLink) CreateOutside()
    {
        var netns = $"ctt-{_tag}-outside";
        var link = $"ctt{_tag}o";
        var subnet = RandomNumberGenerator.GetInt32(0, 256).ToString(CultureInfo.InvariantCulture);
        _cleanup.Add(["ip", "netns", "del", netns]);
        _cleanup.Add(["ip", "link", "del", link]);
        NetnsTools.Must(null, "ip", "netns", "add", netns);
        NetnsTools.Must(null, "ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", netns);
        NetnsTools.Must(null, "ip", "addr", "add", $"198.18.{subnet}.1/30", "dev", link);
        NetnsTools.Must(null, "ip", "link", "set", link, "up");
        NetnsTools.Must(null, "ip", "-n", netns, "addr", "add", $"198.18.{subnet}.2/30", "dev", "eth0");
        NetnsTools.Must(null, "ip", "-n", netns, "link", "set", "eth0", "up");
        NetnsTools.Must(null, "ip", "-n", netns, "link", "set", "lo", "up");
        NetnsTools.Must(null, "ip", "-n", netns, "route", "add", "default", "via", $"198.18.{subnet}.1");
        return (netns, $"198.18.{subnet}.2", link);
    }
}
