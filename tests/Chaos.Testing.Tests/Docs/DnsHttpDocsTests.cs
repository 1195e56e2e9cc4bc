using Chaos.Testing.Tests.Support;
using k8s;

namespace Chaos.Testing.Tests.Docs;

/// <summary>The snippets of docs/faults/dns-chaos.md and http-chaos.md, against the emulator (the payload tests prove the effects).</summary>
public sealed class DnsHttpDocsTests
{
    [Fact]
    public async Task DnsChaos_Snippet()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var client = cluster.Client;

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .DnsChaos(o =>
            {
                o.Mode = DnsChaosMode.Fail;                        // Block (default), Fail or WrongAddress
                o.Patterns.Add("*.payments.svc.cluster.local");    // * and ?, case-insensitive
            })
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(client);

        result.Affected[0].Action.Should().Be("DNS fails for *.payments.svc.cluster.local");
        // end snippet

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        var payload = (await client.CoreV1.ReadNamespacedPodAsync(result.Affected[0].Name, "shop")).Spec.EphemeralContainers[0];
        payload.SecurityContext.Capabilities.Add.Should().Equal("NET_ADMIN", "NET_RAW");
        payload.Command[2].Should().Contain("--to-ports 15353").And.Contain(" /etc/resolv.conf ").And.NotContain("/proc/1/root");
        payload.TargetContainerName.Should().BeNull("the proxy needs only the pod's network namespace and resolv.conf");
    }

    [Fact]
    public async Task HttpChaos_Snippet()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var client = cluster.Client;

        // snippet
        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .HttpChaos(8080, o =>
            {
                o.Percent = 50;                                  // of matching requests
                o.AbortStatus = 503;                             // answer 503 instead of reaching the container
                o.Delay = TimeSpan.FromMilliseconds(300);        // and/or add latency
                o.PathPrefix = "/api";                           // spare /healthz: kubelet probes go through the proxy too
                o.Seed = 1234;                                   // the same requests are picked on every run
            })
            .For(TimeSpan.FromMilliseconds(300))
            .RunAsync(client);
        // end snippet

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Affected[0].Action.Should().Be("HTTP on port 8080: 50% of requests delayed 300 ms answered 503");
        var payload = (await client.CoreV1.ReadNamespacedPodAsync(result.Affected[0].Name, "shop")).Spec.EphemeralContainers[0];
        payload.Command[2].Should().Contain("PREROUTING").And.Contain("--dport 8080").And.Contain("--to-ports 15080");
    }
}
