using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chaos.Testing.Emulator.Runtime.Network;
using Xunit.Abstractions;

namespace Chaos.Testing.Emulator.Tests.Runtime.Network;

/// <summary>Traffic on a real pod network: pod to pod, host to pod, and ClusterIPs from the host and from pods.</summary>
[Collection(PodNetworkTestGroup.Name)]
public sealed class PodNetworkTrafficTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<Process> _servers = [];
    private PodNetwork? _network;

    private PodNetwork Network => _network ??= PodNetwork.Create();

    public void Dispose()
    {
        _servers.ForEach(NetnsTools.Stop);
        _network?.Dispose();
    }

    [RootFact]
    public async Task TwoPods_ReachEachOther_AndTheTestProcessReachesThem()
    {
        // Arrange
        var web = Network.AddPod("shop/web", "shop", "web");
        var client = Network.AddPod("shop/client", "shop", "client");
        _servers.Add(await NetnsTools.StartServerAsync(web.NetnsName, "web", 8080));

        // Act
        var fromPod = NetnsTools.Curl(client.NetnsName, $"http://{web.Ip}:8080/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var fromHost = await http.GetStringAsync(new Uri($"http://{web.Ip}:8080/"));

        // Assert: the server saw each caller's own address (no translation between pods, the gateway for the host)
        fromPod.Should().Be((0, $"web {client.Ip}"));
        fromHost.Should().Be($"web {Network.Gateway}");
        web.Ip.ToString().Should().NotBe(client.Ip.ToString());
        NetnsTools.Must(web.NetnsName, "ip", "-4", "route").Should().Contain($"default via {Network.Gateway} dev eth0");
    }

    [RootFact]
    public async Task ClusterIp_FromTheHostAndFromAPod_IsSpreadOverBothEndpoints()
    {
        // Arrange
        var one = Network.AddPod("shop/one", "shop", "one");
        var two = Network.AddPod("shop/two", "shop", "two");
        var client = Network.AddPod("shop/client", "shop", "client");
        var servers = await Task.WhenAll(NetnsTools.StartServerAsync(one.NetnsName, "one", 8080), NetnsTools.StartServerAsync(two.NetnsName, "two", 8080));
        _servers.AddRange(servers);
        var clusterIp = ClusterIp(10);

        // Act
        Network.SetServices([new ServiceRoute(clusterIp, 80, "TCP", [new IPEndPoint(one.Ip, 8080), new IPEndPoint(two.Ip, 8080)])]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var fromHost = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            // A new connection each time: the spread is per connection, as with kube-proxy.
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{clusterIp}/")) { Headers = { ConnectionClose = true } };
            using var response = await http.SendAsync(request);
            fromHost.Add((await response.Content.ReadAsStringAsync()).Split(' ')[0]);
        }

        var fromPod = NetnsTools.Curl(client.NetnsName, $"http://{clusterIp}/");

        // Assert: both endpoints answered (20 connections all to one endpoint: one chance in 2^19)
        fromHost.Distinct().Should().BeEquivalentTo(["one", "two"], $"20 connections are spread; they went to {string.Join(",", fromHost)}");
        fromPod.Exit.Should().Be(0, fromPod.Body);
        fromPod.Body.Should().MatchRegex("^(one|two) ").And.EndWith(
            $" {Network.Gateway}", "pod to service to pod is masqueraded, so that the reply goes back through the host's translation");
    }

    [RootFact]
    public async Task ClusterIp_WhoseOnlyEndpointIsTheCaller_Answers()
    {
        // Arrange: the hairpin case, which needs the masquerade (the reply would otherwise skip the translation back)
        var web = Network.AddPod("shop/web", "shop", "web");
        _servers.Add(await NetnsTools.StartServerAsync(web.NetnsName, "web", 8080));
        var clusterIp = ClusterIp(11);
        Network.SetServices([new ServiceRoute(clusterIp, 80, "TCP", [new IPEndPoint(web.Ip, 8080)])]);

        // Act
        var (exit, body) = NetnsTools.Curl(web.NetnsName, $"http://{clusterIp}/");

        // Assert
        exit.Should().Be(0, body);
        body.Should().Be($"web {Network.Gateway}", "the call came back through the host, masqueraded to the gateway");
    }

    [RootFact]
    public async Task ClusterIpWithoutEndpoints_IsRefusedAtOnce_FromTheHostAndFromAPod()
    {
        // Arrange
        var client = Network.AddPod("shop/client", "shop", "client");
        var clusterIp = ClusterIp(12);
        Network.SetServices([new ServiceRoute(clusterIp, 80, "TCP", [])]);

        // Act
        var fromHost = await NetnsTools.ConnectAsync(clusterIp.ToString(), 80, TimeSpan.FromSeconds(10));
        var fromPod = NetnsTools.Curl(client.NetnsName, $"http://{clusterIp}/", seconds: 10);

        // Assert: refused (a reset), not a timeout
        fromHost.Error.Should().Be(SocketError.ConnectionRefused);
        fromHost.Took.Should().BeLessThan(TimeSpan.FromSeconds(5));
        fromPod.Exit.Should().Be(7, $"curl exits 7 when the connection is refused (28 would be a timeout): {fromPod.Body}");
    }

    [RootFact]
    public void UdpClusterIp_ReachesItsEndpoint_TheNetworksDnsServer()
    {
        // Arrange: a kube-dns-like service whose endpoint is the DNS server on the gateway
        var client = Network.AddPod("shop/client", "shop", "client");
        var clusterIp = ClusterIp(53);
        Network.SetDnsRecords(new Dictionary<string, IPAddress[]> { ["web.shop.svc.cluster.local"] = [ClusterIp(20)] });
        Network.SetServices([new ServiceRoute(clusterIp, 53, "UDP", [new IPEndPoint(Network.Gateway, 53)])]);

        // Act
        var answer = NetnsTools.Must(client.NetnsName, "dig", "+short", "+time=5", "+tries=2", $"@{clusterIp}", "web.shop.svc.cluster.local");

        // Assert
        answer.Trim().Should().Be(ClusterIp(20).ToString());
    }

    [RootFact]
    public void AddPod_TakesMilliseconds_AndRemovePodIsIdempotent()
    {
        // Act
        _ = Network.Gateway; // created outside the measurement
        var times = new List<TimeSpan>();
        var pods = Enumerable.Range(1, 6).Select(i =>
        {
            var watch = Stopwatch.StartNew();
            var pod = Network.AddPod($"shop/p{i}", "shop", $"p{i}");
            times.Add(watch.Elapsed);
            return pod;
        }).ToList();
        var median = times.Order().ElementAt(times.Count / 2);
        output.WriteLine($"AddPod took {string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:0.0}"))} ms; median {median.TotalMilliseconds:0.0} ms");
        Network.RemovePod(pods[0]);
        Network.RemovePod(pods[0]);

        // Assert: generous for a loaded machine; the log shows the real figures
        median.Should().BeLessThan(TimeSpan.FromSeconds(1));
        File.Exists(pods[0].NetnsPath).Should().BeFalse();
        Directory.Exists($"/sys/class/net/{pods[0].HostInterface}").Should().BeFalse();
        Network.Sandboxes.Should().HaveCount(5);
        File.ReadAllText($"/etc/netns/{pods[1].NetnsName}/resolv.conf").Should().Be(
            $"nameserver {Network.Gateway}\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n");
        File.ReadAllText($"/etc/netns/{pods[1].NetnsName}/hosts").Should().Contain($"{pods[1].Ip}\tp2\n").And.Contain("127.0.0.1\tlocalhost\n");
        NetnsTools.Must(pods[1].NetnsName, "ip", "-o", "link", "show", "up").Should().Contain("lo:").And.Contain("eth0@");
    }

    private IPAddress ClusterIp(int host)
    {
        var range = Network.ServiceRange.Split('/')[0].Split('.');
        return IPAddress.Parse($"{range[0]}.{range[1]}.{range[2]}.{host}");
    }
}
