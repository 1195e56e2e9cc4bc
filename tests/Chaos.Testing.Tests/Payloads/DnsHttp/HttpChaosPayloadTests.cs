using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>
/// The HTTP payload run for real in the "pod" namespace of a <see cref="NetnsPair"/>, where an HTTP server listens on
/// port 8080; clients run in the "peer" namespace (another pod) and, for local traffic, in the pod itself.
/// </summary>
public sealed class HttpChaosPayloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Port = 8080;
    private static readonly (string, string)[] Get = [("GET", "/")];

    private readonly NetnsPair _pair = new();
    private NetnsProgram? _server;

    private string Tag => "http-" + _pair.Suffix;

    public async Task InitializeAsync()
    {
        _server = await NetnsProgram.StartAsync(_pair.Pod, HttpTestTools.Server, "8080");
        Iptables.AddUnrelatedRules(_pair.Pod);
    }

    [PayloadFact("iptables", "python3")]
    public async Task Abort_AllRequests_ClientsOutsideThePodGetTheStatus_LocalTrafficDoesNot_AndTermRemovesEverything()
    {
        var rules = Iptables.Save(_pair.Pod);
        (await FromPeerAsync(3, Get)).Should().OnlyContain(r => r.Status == 200);

        var script = HttpChaosPayload.Build(Tag, new HttpChaosSpec(Port) { AbortStatus = 503 });
        await using var running = ProxyPayload.Start(script, HttpChaosPayload.ProxyKind, _pair.Pod);
        var payload = running.Process;
        await payload.WaitInstalledAsync();

        var outside = await FromPeerAsync(20, Get);
        var local = await HttpTestTools.RequestAsync(_pair.Pod, "127.0.0.1", Port, 3, Get);
        var localToPodIp = await HttpTestTools.RequestAsync(_pair.Pod, _pair.PodIp, Port, 3, Get);
        outside.Select(r => r.Status).Should().AllBeEquivalentTo(503);
        local.Concat(localToPodIp).Select(r => r.Status).Should().AllBeEquivalentTo(200, "traffic from inside the pod passes through OUTPUT, which the payload leaves alone");

        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        (await FromPeerAsync(3, Get)).Select(r => r.Status).Should().AllBeEquivalentTo(200);
        Iptables.Save(_pair.Pod).Should().Be(rules);
        running.Proxies().Should().BeEmpty("the cleanup killed the proxy");
    }

    [PayloadFact("iptables", "python3")]
    public async Task Abort_HalfOfTheRequestsWithASeed_ShareIsWithinBinomialTolerance_AndTheSameSeedRepeatsIt()
    {
        const int Requests = 200;
        var spec = new HttpChaosSpec(Port) { AbortStatus = 500, Percent = 50, Seed = 1234 };

        var first = await StatusesUnderAsync(spec, Requests);
        var second = await StatusesUnderAsync(spec, Requests);

        var aborted = first.Count(s => s == 500);
        output.WriteLine($"aborted {aborted} of {Requests} at 50% (3 sigma: 100 ± 21)");
        first.Should().OnlyContain(s => s == 200 || s == 500);
        aborted.Should().BeInRange(79, 121, "a binomial(200, 0.5) count lies within 3 sigma (±21.2) of 100");
        second.Should().Equal(first, "the same seed selects the same requests");
    }

    [PayloadFact("iptables", "python3")]
    public async Task Delay_TheClientObservesAtLeastTheAddedLatency()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        var baseline = await FromPeerAsync(10, Get);

        var script = HttpChaosPayload.Build(Tag, new HttpChaosSpec(Port) { Delay = delay });
        await using var running = ProxyPayload.Start(script, HttpChaosPayload.ProxyKind, _pair.Pod);
        await running.Process.WaitInstalledAsync();
        var delayed = await FromPeerAsync(10, Get);
        running.Process.Terminate();
        (await running.Process.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        var after = await FromPeerAsync(10, Get);

        output.WriteLine($"median ms: before {baseline.Median():0.0}, with a {delay.TotalMilliseconds}ms delay {delayed.Median():0.0} (min {delayed.Min(r => r.Milliseconds):0.0}), after {after.Median():0.0}");
        delayed.Should().OnlyContain(r => r.Status == 200 && r.Milliseconds >= delay.TotalMilliseconds);
        delayed.Median().Should().BeLessThan(baseline.Median() + delay.TotalMilliseconds + 250, "the proxy adds the delay once, not much more (a second delay would add 300 ms; 250 ms of slack holds at a high load)");
        after.Median().Should().BeLessThan(delay.TotalMilliseconds / 2);
    }

    [PayloadFact("iptables", "python3")]
    public async Task PathAndMethod_OnlyMatchingRequestsAreAffected()
    {
        var script = HttpChaosPayload.Build(Tag, new HttpChaosSpec(Port) { AbortStatus = 418, Method = "POST", PathPrefix = "/api/" });
        await using var running = ProxyPayload.Start(script, HttpChaosPayload.ProxyKind, _pair.Pod);
        await running.Process.WaitInstalledAsync();

        var results = await FromPeerAsync(3, ("POST", "/api/orders"), ("GET", "/api/orders"), ("POST", "/other"), ("POST", "/apiary"), ("PUT", "/api/orders"));

        results.Where(r => r.Method == "POST" && r.Path == "/api/orders").Select(r => r.Status).Should().Equal(418, 418, 418);
        results.Where(r => !(r.Method == "POST" && r.Path == "/api/orders")).Select(r => r.Status).Should().AllBeEquivalentTo(200);
    }

    [PayloadFact("iptables", "python3")]
    public async Task TrafficThatIsNotHttp1_PassesThroughUntouchedAndAtOnce()
    {
        var script = HttpChaosPayload.Build(Tag, new HttpChaosSpec(Port) { AbortStatus = 503 });
        await using var running = ProxyPayload.Start(script, HttpChaosPayload.ProxyKind, _pair.Pod);
        await running.Process.WaitInstalledAsync();

        // A TLS-like record (one line, so the test server reads it) and the HTTP/2 preface: the server's own answers
        // (400, 505) come back, not the injected 503 and not after the proxy's 60 s head timeout.
        var tls = await HttpTestTools.RawAsync(_pair.Peer, _pair.PodIp, Port, [0x16, 0x03, 0x01, 0x00, 0x05, .. "hello\r\n"u8]);
        var http2 = await HttpTestTools.RawAsync(_pair.Peer, _pair.PodIp, Port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        output.WriteLine($"tls-like in {tls.Milliseconds:0.0}ms, http/2 preface in {http2.Milliseconds:0.0}ms: \"{http2.Answer.Split('\r')[0]}\"");

        tls.Answer.Should().Contain("Error code: 400", "the server's own error page (it answers a request line without a version in HTTP/0.9)");
        http2.Answer.Should().Contain("Error code: 505");
        new[] { tls.Milliseconds, http2.Milliseconds }.Should().OnlyContain(ms => ms < 5000);
    }

    [PayloadFact("iptables", "python3")]
    public async Task RenderCleanup_AfterThePayloadWasKilledHard_RemovesTheRuleAndTheProxy()
    {
        var rules = Iptables.Save(_pair.Pod);
        var script = HttpChaosPayload.Build(Tag, new HttpChaosSpec(Port) { AbortStatus = 503 });
        await using var running = ProxyPayload.Start(script, HttpChaosPayload.ProxyKind, _pair.Pod);
        await running.Process.WaitInstalledAsync();

        await running.KillHardAsync();
        (await FromPeerAsync(1, Get)).Single().Status.Should().Be(503, "a payload killed hard cannot remove its fault");
        running.Proxies().Should().ContainSingle();

        await running.RecoverEarlyAsync();

        Iptables.Save(_pair.Pod).Should().Be(rules);
        (await FromPeerAsync(1, Get)).Single().Status.Should().Be(200);
    }

    [PayloadFact("iptables", "python3")]
    public async Task Install_ProxyPortTaken_FailsAndLeavesNothingBehind()
    {
        var rules = Iptables.Save(_pair.Pod);
        var script = HttpChaosPayload.Build(Tag, new HttpChaosSpec(9090) { ProxyPort = Port, AbortStatus = 503 });
        await using var running = ProxyPayload.Start(script, HttpChaosPayload.ProxyKind, _pair.Pod);

        (await running.Process.WaitForExitAsync(TimeSpan.FromSeconds(20))).Should().Be(1, "the test server already listens on the proxy's port");
        running.Process.Output.Should().Contain("chaos: install failed: chaos_httpproxy=").And.NotContain("chaos: installed");
        Iptables.Save(_pair.Pod).Should().Be(rules);
        running.Proxies().Should().BeEmpty();
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _pair.Dispose();
        return Task.CompletedTask;
    }

    private Task<IReadOnlyList<HttpResult>> FromPeerAsync(int rounds, params (string Method, string Path)[] requests) =>
        HttpTestTools.RequestAsync(_pair.Peer, _pair.PodIp, Port, rounds, requests);

    private async Task<IReadOnlyList<int>> StatusesUnderAsync(HttpChaosSpec spec, int requests)
    {
        var script = HttpChaosPayload.Build(Tag, spec);
        await using var running = ProxyPayload.Start(script, HttpChaosPayload.ProxyKind, _pair.Pod);
        await running.Process.WaitInstalledAsync();
        var results = await FromPeerAsync(requests, Get);
        running.Process.Terminate();
        (await running.Process.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        return results.Select(r => r.Status).ToList();
    }
}
