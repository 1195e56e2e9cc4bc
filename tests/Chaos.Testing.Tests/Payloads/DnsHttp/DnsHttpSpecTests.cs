using System.Net;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>Validation of the DNS and HTTP payload specs, and the shape of the scripts built from them.</summary>
public sealed class DnsHttpSpecTests
{
    [Fact]
    public void DnsBuild_InvalidSpec_ListsEveryProblemAtOnce()
    {
        var spec = new DnsChaosSpec(DnsChaosAction.WrongAddress)
        {
            Patterns = ["*.example.com", "bad name;rm"],
            Address = IPAddress.IPv6Loopback,
            ProxyPort = 53,
            ResolvConfPath = "etc/resolv.conf",
            DropAnswers = true,
        };

        var errors = FluentActions.Invoking(() => DnsChaosPayload.Build("t1", spec)).Should().Throw<ChaosConfigurationException>().Which.Errors;

        errors.Should().Equal(
            "DnsChaos.DropAnswers: only Block drops packets, was set with WrongAddress; remove it.",
            "DnsChaos.Patterns: \"bad name;rm\" must be 1 to 253 characters of letters, digits, '-', '_', '.', and the wildcards '*' and '?', e.g. \"*.example.com\".",
            "DnsChaos.ProxyPort: must be a free port from 1 to 65535 other than 53, was 53.",
            "DnsChaos.ResolvConfPath: must be an absolute path such as /etc/resolv.conf or /proc/1/root/etc/resolv.conf, was \"etc/resolv.conf\".",
            "DnsChaos.Address: WrongAddress needs an IPv4 address, e.g. 192.0.2.1, was ::1.");
    }

    [Fact]
    public void DnsBuild_FailWithoutPatterns_OrBlockWithPatterns_IsRefused()
    {
        FluentActions.Invoking(() => DnsChaosPayload.Build("t1", new DnsChaosSpec(DnsChaosAction.Fail)))
            .Should().Throw<ChaosConfigurationException>().Which.Errors.Should().ContainSingle().Which.Should().StartWith("DnsChaos.Patterns: Fail needs at least one name pattern");
        FluentActions.Invoking(() => DnsChaosPayload.Build("t1", new DnsChaosSpec(DnsChaosAction.Block) { Patterns = ["a.test"] }))
            .Should().Throw<ChaosConfigurationException>().Which.Errors.Should().ContainSingle().Which.Should().StartWith("DnsChaos.Patterns: Block fails every name");
    }

    [Fact]
    public void DnsBuild_Block_IsTwoTaggedDropRulesAndNoProxy()
    {
        var script = DnsChaosPayload.Build("exp1", new DnsChaosSpec(DnsChaosAction.Block));

        script.InstallSteps.Select(s => s.Line).Should().Equal(
            "iptables -w -t filter -I OUTPUT -p udp --dport 53 -m comment --comment chaos-exp1 -j DROP",
            "iptables -w -t filter -I OUTPUT -p tcp --dport 53 -m comment --comment chaos-exp1 -j DROP");
        script.CleanupSteps.Select(s => s.Line).Should().Equal(
            "iptables -w -t filter -D OUTPUT -p udp --dport 53 -m comment --comment chaos-exp1 -j DROP",
            "iptables -w -t filter -D OUTPUT -p tcp --dport 53 -m comment --comment chaos-exp1 -j DROP");
    }

    [Fact]
    public void DnsBuild_BlockDroppingAnswers_DropsWhatComesFromPort53()
    {
        var script = DnsChaosPayload.Build("exp1", new DnsChaosSpec(DnsChaosAction.Block) { DropAnswers = true });

        script.InstallSteps.Select(s => s.Line).Should().Equal(
            "iptables -w -t filter -I INPUT -p udp --sport 53 -m comment --comment chaos-exp1 -j DROP",
            "iptables -w -t filter -I INPUT -p tcp --sport 53 -m comment --comment chaos-exp1 -j DROP");
    }

    [Fact]
    public void DnsBuild_Fail_StartsTheProxyBeforeTheRedirects_AndCleanupRemovesTheRedirectsFirst()
    {
        var script = DnsChaosPayload.Build("exp1", new DnsChaosSpec(DnsChaosAction.Fail) { Patterns = ["*.example.com"] });

        script.InstallSteps[0].Line.Should().StartWith("chaos_dnsproxy=$(python3 -c '# chaos-dnsproxy-exp1\n").And.EndWith(
            " 15353 805381 /etc/resolv.conf fail - '*.example.com' &) && [ \"$chaos_dnsproxy\" -gt 0 ] 2>/dev/null");
        script.InstallSteps.Skip(1).Select(s => s.Line).Should().Equal(
            "iptables -w -t nat -I OUTPUT -p udp --dport 53 -m mark '!' --mark 0xc4a05 -m comment --comment chaos-exp1 -j REDIRECT --to-ports 15353",
            "iptables -w -t nat -I OUTPUT -p tcp --dport 53 -m mark '!' --mark 0xc4a05 -m comment --comment chaos-exp1 -j REDIRECT --to-ports 15353");
        script.CleanupSteps.Select(s => s.Line).Should().Equal(
            "[ -z \"${chaos_dnsproxy:-}\" ] || kill \"$chaos_dnsproxy\"",
            "pkill -f '^[^ ]+ -c # chaos-dnsproxy-exp1[[:space:]]'",
            "iptables -w -t nat -D OUTPUT -p udp --dport 53 -m mark '!' --mark 0xc4a05 -m comment --comment chaos-exp1 -j REDIRECT --to-ports 15353",
            "iptables -w -t nat -D OUTPUT -p tcp --dport 53 -m mark '!' --mark 0xc4a05 -m comment --comment chaos-exp1 -j REDIRECT --to-ports 15353");
    }

    [Fact]
    public void HttpBuild_InvalidSpec_ListsEveryProblemAtOnce()
    {
        var spec = new HttpChaosSpec(8080) { ProxyPort = 8080, Percent = 0, Delay = TimeSpan.FromTicks(1), AbortStatus = 600, PathPrefix = "api", Method = "get" };

        var errors = FluentActions.Invoking(() => HttpChaosPayload.Build("t1", spec)).Should().Throw<ChaosConfigurationException>().Which.Errors;

        errors.Should().Equal(
            "HttpChaos.ProxyPort: must be a free port from 1 to 65535 other than Port, was 8080.",
            "HttpChaos.Percent: must be more than 0 and at most 100, was 0.",
            "HttpChaos.Delay: must be whole milliseconds from 0 to 10 minutes, was 00:00:00.0000001.",
            "HttpChaos.AbortStatus: must be a status code from 200 to 599, e.g. 503, was 600.",
            "HttpChaos.PathPrefix: must start with '/' and hold no spaces or control characters, e.g. \"/api/\", was \"api\".",
            "HttpChaos.Method: must be an upper-case HTTP method such as GET or POST, was \"get\".");
    }

    [Fact]
    public void HttpBuild_NothingToInject_IsRefused() =>
        FluentActions.Invoking(() => HttpChaosPayload.Build("t1", new HttpChaosSpec(8080)))
            .Should().Throw<ChaosConfigurationException>().Which.Errors.Should().Equal("HttpChaos: nothing to inject; set Delay, AbortStatus or both.");

    [Fact]
    public void HttpBuild_PassesTheSpecToTheProxy_AndRedirectsOnlyInboundTraffic()
    {
        var script = HttpChaosPayload.Build("exp1", new HttpChaosSpec(8080) { Percent = 12.5, Delay = TimeSpan.FromMilliseconds(250), AbortStatus = 503, PathPrefix = "/api/", Method = "POST", Seed = 7 });

        script.InstallSteps[0].Line.Should().EndWith(" 15080 8080 12.5 250 503 /api/ POST 7 &) && [ \"$chaos_httpproxy\" -gt 0 ] 2>/dev/null");
        script.InstallSteps[1].Line.Should().Be("iptables -w -t nat -I PREROUTING -p tcp --dport 8080 -m comment --comment chaos-exp1 -j REDIRECT --to-ports 15080");
        script.CleanupSteps[^1].Line.Should().Be("iptables -w -t nat -D PREROUTING -p tcp --dport 8080 -m comment --comment chaos-exp1 -j REDIRECT --to-ports 15080");
    }
}
