using System.Net;
using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>
/// The DNS payload run for real in the "pod" namespace of a <see cref="NetnsPair"/>, resolving through a stub DNS
/// server in the "peer" namespace (the pod's nameserver, named by a resolv.conf the payload reads).
/// </summary>
public sealed class DnsChaosPayloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly NetnsPair _pair = new();
    private readonly string _resolvConf = Path.GetTempFileName();
    private string NetnsEtc => $"/etc/netns/{_pair.Pod}";
    private NetnsProgram? _upstream;

    private string Tag => "dns-" + _pair.Suffix;

    private NetnsProgram Upstream => _upstream!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_resolvConf, $"search shop.svc.cluster.local\nnameserver {_pair.PeerIp}\noptions ndots:5\n");

        // The pod's own /etc/resolv.conf, as applications (glibc) read it: one try, one second.
        Directory.CreateDirectory(NetnsEtc);
        await File.WriteAllTextAsync(Path.Combine(NetnsEtc, "resolv.conf"), $"nameserver {_pair.PeerIp}\noptions timeout:1 attempts:1\n");
        _upstream = await NetnsProgram.StartAsync(
            _pair.Peer,
            DnsTestTools.StubServer,
            _pair.PeerIp,
            "shop.test=10.9.0.1",
            "a.blocked.test=10.9.0.2",
            "api.shop.svc.cluster.local=10.9.0.3");
        Iptables.AddUnrelatedRules(_pair.Pod);
    }

    [PayloadFact("iptables", "dig", "python3")]
    public async Task Block_FailsEveryQueryWhileItHolds_AndTermRemovesExactlyItsRules()
    {
        var rules = Iptables.Save(_pair.Pod);
        (await DigAsync("shop.test")).Addresses.Should().Equal("10.9.0.1");
        (await DigAsync("shop.test", tcp: true)).Addresses.Should().Equal("10.9.0.1");

        var script = DnsChaosPayload.Build(Tag, new DnsChaosSpec(DnsChaosAction.Block));
        await using var running = ProxyPayload.Start(script, DnsChaosPayload.ProxyKind, _pair.Pod);
        var payload = running.Process;
        await payload.WaitInstalledAsync();

        var udp = await DigAsync("shop.test");
        var tcp = await DigAsync("a.blocked.test", tcp: true);
        var (result, milliseconds) = await DnsTestTools.GetAddrInfoAsync(_pair.Pod, "a.blocked.test");
        output.WriteLine($"during the hold: dig udp {udp}, dig tcp {tcp}, getaddrinfo \"{result}\" in {milliseconds:0.0}ms");
        udp.Status.Should().Be("NO-REPLY");
        tcp.Status.Should().Be("NO-REPLY");
        result.Should().StartWith("error");
        milliseconds.Should().BeLessThan(500, "a query dropped on its way out fails at once (EPERM), without waiting for the 1 s timeout");
        Iptables.Save(_pair.Pod).Should().Contain($"-A OUTPUT -p udp -m udp --dport 53 -m comment --comment chaos-{Tag} -j DROP");

        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        (await DigAsync("shop.test")).Addresses.Should().Equal("10.9.0.1");
        (await DigAsync("shop.test", tcp: true)).Addresses.Should().Equal("10.9.0.1");
        await SeenUpstreamAsync("query shop.test 1");
        Upstream.Lines.Should().NotContain("query a.blocked.test 1", "no query left the pod while DNS was blocked");
        Iptables.Save(_pair.Pod).Should().Be(rules);
    }

    [PayloadFact("iptables", "dig", "python3")]
    public async Task Block_DroppingTheAnswers_QueriesLeaveButResolversTimeOut()
    {
        var rules = Iptables.Save(_pair.Pod);
        var before = await DnsTestTools.GetAddrInfoAsync(_pair.Pod, "shop.test");
        before.Result.Should().Be("10.9.0.1");

        var script = DnsChaosPayload.Build(Tag, new DnsChaosSpec(DnsChaosAction.Block) { DropAnswers = true });
        await using var running = ProxyPayload.Start(script, DnsChaosPayload.ProxyKind, _pair.Pod);
        await running.Process.WaitInstalledAsync();

        var (result, milliseconds) = await DnsTestTools.GetAddrInfoAsync(_pair.Pod, "a.blocked.test");
        var tcp = await DigAsync("shop.test", tcp: true);
        output.WriteLine($"getaddrinfo before {before.Milliseconds:0.0}ms; during the hold \"{result}\" in {milliseconds:0.0}ms, dig tcp {tcp}");
        result.Should().StartWith("error");
        milliseconds.Should().BeGreaterThanOrEqualTo(950, "the resolver waits for its 1 s timeout");
        tcp.Status.Should().Be("NO-REPLY");
        await SeenUpstreamAsync("query a.blocked.test 1");

        running.Process.Terminate();
        (await running.Process.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        (await DnsTestTools.GetAddrInfoAsync(_pair.Pod, "a.blocked.test")).Result.Should().Be("10.9.0.2");
        Iptables.Save(_pair.Pod).Should().Be(rules);
    }

    [PayloadFact("iptables", "dig", "python3")]
    public async Task Fail_MatchingNamesGetNxdomain_OtherNamesStillResolveUpstream_AndTermRemovesEverything()
    {
        var rules = Iptables.Save(_pair.Pod);
        (await DigAsync("a.blocked.test")).Addresses.Should().Equal("10.9.0.2");
        await SeenUpstreamAsync("query a.blocked.test 1");

        var script = DnsChaosPayload.Build(Tag, new DnsChaosSpec(DnsChaosAction.Fail)
        {
            Patterns = ["*.blocked.test", "api.shop.svc.cluster.local"],
            ResolvConfPath = _resolvConf,
        });
        await using var running = ProxyPayload.Start(script, DnsChaosPayload.ProxyKind, _pair.Pod);
        var payload = running.Process;
        await payload.WaitInstalledAsync();
        var seenBefore = Upstream.Lines.Count;

        var matching = new[]
        {
            await DigAsync("a.blocked.test"),
            await DigAsync("A.Blocked.TEST"),
            await DigAsync("a.blocked.test", "AAAA"),
            await DigAsync("a.blocked.test", tcp: true),
            await DigAsync("api.shop.svc.cluster.local"),
        };
        var other = new[] { await DigAsync("shop.test"), await DigAsync("shop.test", tcp: true) };
        output.WriteLine($"matching: {string.Join("; ", matching.Select(r => r.ToString()))}\nother: {string.Join("; ", other.Select(r => r.ToString()))}");
        matching.Should().AllSatisfy(r => r.Status.Should().Be("NXDOMAIN"));
        other.Should().AllSatisfy(r => r.Addresses.Should().Equal("10.9.0.1"));
        await SeenUpstreamAsync("query shop.test 1", seenBefore, count: 2);
        Upstream.Lines.Skip(seenBefore).Should().OnlyContain(line => line == "query shop.test 1", "the proxy answers matching names itself");

        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        (await DigAsync("a.blocked.test")).Addresses.Should().Equal("10.9.0.2");
        (await DigAsync("api.shop.svc.cluster.local", tcp: true)).Addresses.Should().Equal("10.9.0.3");
        Iptables.Save(_pair.Pod).Should().Be(rules);
        running.Proxies().Should().BeEmpty("the cleanup killed the proxy");
    }

    [PayloadFact("iptables", "dig", "python3")]
    public async Task WrongAddress_MatchingNamesResolveToTheFixedAddress_OtherNamesStillResolve()
    {
        var rules = Iptables.Save(_pair.Pod);
        var script = DnsChaosPayload.Build(Tag, new DnsChaosSpec(DnsChaosAction.WrongAddress)
        {
            Patterns = ["*.blocked.test"],
            Address = IPAddress.Parse("192.0.2.99"),
        });
        await using var running = ProxyPayload.Start(script, DnsChaosPayload.ProxyKind, _pair.Pod);
        var payload = running.Process;
        await payload.WaitInstalledAsync();

        var udp = await DigAsync("a.blocked.test");
        var tcp = await DigAsync("a.blocked.test", tcp: true);
        var ipv6 = await DigAsync("a.blocked.test", "AAAA");
        var other = await DigAsync("api.shop.svc.cluster.local");
        var application = await DnsTestTools.GetAddrInfoAsync(_pair.Pod, "a.blocked.test");
        output.WriteLine($"udp {udp}; tcp {tcp}; AAAA {ipv6}; other {other}; getaddrinfo {application}");
        application.Result.Should().Be("192.0.2.99");
        udp.Addresses.Should().Equal("192.0.2.99");
        tcp.Addresses.Should().Equal("192.0.2.99");
        ipv6.Status.Should().Be("NOERROR");
        ipv6.Addresses.Should().BeEmpty();
        other.Addresses.Should().Equal("10.9.0.3");

        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        (await DigAsync("a.blocked.test")).Addresses.Should().Equal("10.9.0.2");
        Iptables.Save(_pair.Pod).Should().Be(rules);
    }

    [PayloadFact("iptables", "dig", "python3")]
    public async Task RenderCleanup_AfterThePayloadWasKilledHard_RemovesTheRulesAndTheProxy()
    {
        var rules = Iptables.Save(_pair.Pod);
        var script = DnsChaosPayload.Build(Tag, new DnsChaosSpec(DnsChaosAction.Fail) { Patterns = ["a.blocked.test"], ResolvConfPath = _resolvConf });
        await using var running = ProxyPayload.Start(script, DnsChaosPayload.ProxyKind, _pair.Pod);
        await running.Process.WaitInstalledAsync();

        await running.KillHardAsync();
        (await DigAsync("a.blocked.test")).Status.Should().Be("NXDOMAIN", "a payload killed hard cannot remove its fault");
        running.Proxies().Should().ContainSingle();

        await running.RecoverEarlyAsync();

        Iptables.Save(_pair.Pod).Should().Be(rules);
        (await DigAsync("a.blocked.test")).Addresses.Should().Equal("10.9.0.2");
    }

    [PayloadFact("iptables", "dig", "python3")]
    public async Task HoldEnds_TheFaultIsRemovedWithoutASignal()
    {
        var rules = Iptables.Save(_pair.Pod);
        var script = DnsChaosPayload.Build(Tag, new DnsChaosSpec(DnsChaosAction.Fail) { Patterns = ["a.blocked.test"], ResolvConfPath = _resolvConf });
        await using var running = ProxyPayload.Start(script, DnsChaosPayload.ProxyKind, _pair.Pod, hold: TimeSpan.FromSeconds(2));
        await running.Process.WaitInstalledAsync();
        (await DigAsync("a.blocked.test")).Status.Should().Be("NXDOMAIN");

        (await running.Process.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        (await DigAsync("a.blocked.test")).Addresses.Should().Equal("10.9.0.2");
        Iptables.Save(_pair.Pod).Should().Be(rules);
        running.Proxies().Should().BeEmpty();
    }

    public Task DisposeAsync()
    {
        _upstream?.Dispose();
        _pair.Dispose();
        File.Delete(_resolvConf);
        Directory.Delete(NetnsEtc, recursive: true);
        return Task.CompletedTask;
    }

    private Task<DigResult> DigAsync(string name, string type = "A", bool tcp = false) =>
        DnsTestTools.DigAsync(_pair.Pod, _pair.PeerIp, name, type, tcp);

    /// <summary>Waits until the stub server logged <paramref name="line"/> <paramref name="count"/> times after line <paramref name="skip"/> (its log lags the answers).</summary>
    private Task SeenUpstreamAsync(string line, int skip = 0, int count = 1) =>
        Eventually.TrueAsync(() => Task.FromResult(Upstream.Lines.Skip(skip).Count(l => l == line) >= count), $"the upstream to log \"{line}\" {count} time(s)");
}
