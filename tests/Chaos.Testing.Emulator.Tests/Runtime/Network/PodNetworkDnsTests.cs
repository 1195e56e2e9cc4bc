using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator.Runtime.Network;

namespace Chaos.Testing.Emulator.Tests.Runtime.Network;

/// <summary>Name resolution inside a real pod: the network's DNS server, the search path and the hosts file.</summary>
[Collection(PodNetworkTestGroup.Name)]
public sealed class PodNetworkDnsTests : IDisposable
{
    private static readonly IPAddress Web = IPAddress.Parse("10.214.250.10");
    private static readonly IPAddress Db = IPAddress.Parse("10.214.250.11");
    private PodNetwork? _network;

    public void Dispose() => _network?.Dispose();

    [RootFact]
    public void ServiceNames_ResolveInAPod_FullAndShort_AndUnknownNamesAreNotFound()
    {
        // Arrange
        _network = PodNetwork.Create();
        var pod = _network.AddPod("shop/client", "shop", "client");
        _network.SetDnsRecords(new Dictionary<string, IPAddress[]>
        {
            ["web.shop.svc.cluster.local"] = [Web],
            ["db.other.svc.cluster.local"] = [Db],
        });

        // Act
        var full = NetnsTools.Run(pod.NetnsName, "getent", "hosts", "web.shop.svc.cluster.local");
        var shortName = NetnsTools.Run(pod.NetnsName, "getent", "hosts", "web");
        var otherNamespace = NetnsTools.Run(pod.NetnsName, "getent", "hosts", "db.other");
        var own = NetnsTools.Run(pod.NetnsName, "getent", "hosts", "client");
        var unknown = NetnsTools.Run(pod.NetnsName, "getent", "hosts", "nope");

        // Assert
        full.Exit.Should().Be(0, full.Output);
        full.Output.Should().MatchRegex($"^{Regex.Escape(Web.ToString())} +web\\.shop\\.svc\\.cluster\\.local\n$");
        shortName.Exit.Should().Be(0, shortName.Output);
        shortName.Output.Should().StartWith($"{Web} ");
        otherNamespace.Output.Should().StartWith($"{Db} ");
        own.Output.Should().StartWith($"{pod.Ip} ").And.Contain("client", "the pod's hosts file names it");
        unknown.Exit.Should().Be(2, $"getent exits 2 for a name not found, but printed: {unknown.Output}");
    }

    [RootFact]
    public void UnknownAndOutsideNames_GetNxdomainAtOnce_AndAreNeverForwarded()
    {
        // Arrange
        _network = PodNetwork.Create();
        var pod = _network.AddPod("shop/client", "shop", "client");
        _network.SetDnsRecords(new Dictionary<string, IPAddress[]> { ["web.shop.svc.cluster.local"] = [Web] });

        // Act
        var watch = Stopwatch.StartNew();
        var inZone = NetnsTools.Must(pod.NetnsName, "dig", "+time=5", "+tries=1", $"@{_network.Gateway}", "nope.shop.svc.cluster.local");
        var outside = NetnsTools.Must(pod.NetnsName, "dig", "+time=5", "+tries=1", $"@{_network.Gateway}", "example.com");
        var aaaa = NetnsTools.Must(pod.NetnsName, "dig", "+time=5", "+tries=1", $"@{_network.Gateway}", "web.shop.svc.cluster.local", "AAAA");
        var took = watch.Elapsed;

        // Assert
        inZone.Should().Contain("status: NXDOMAIN").And.MatchRegex("flags: qr aa rd;", "the server is the authority for cluster.local");
        outside.Should().Contain("status: NXDOMAIN").And.Contain("ANSWER: 0");
        aaaa.Should().Contain("status: NOERROR").And.Contain("ANSWER: 0", "a known name without an IPv6 address has no AAAA record (NODATA)");
        took.Should().BeLessThan(TimeSpan.FromSeconds(10), "every answer comes at once, none waits for a timeout");
    }
}
