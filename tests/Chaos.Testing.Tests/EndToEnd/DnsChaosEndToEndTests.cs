using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// DNS chaos through the DSL on the process runtime, seen in the target pod's own log (read through pods/log): a loop
/// resolving two Services' names prints that the matching one fails during the hold while the other resolves.
/// </summary>
public sealed class DnsChaosEndToEndTests
{
    private const string Resolver = """
        import socket, time
        n = 0
        while True:
            r = []
            for h in ("cart.shop.svc.cluster.local", "orders.shop.svc.cluster.local"):
                try:
                    socket.gethostbyname(h); r.append("ok")
                except Exception:
                    r.append("fail")
            print("round", n, " ".join(r), flush=True); n += 1; time.sleep(0.3)
        """;

    [ProcessRuntimeFact]
    public async Task DnsChaos_FailsTheMatchingNames_OthersResolve_OnlyDuringTheHold()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var client = cluster.Client;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        foreach (var name in new[] { "cart", "orders" })
        {
            await CreateEchoAsync(client, "shop", name);
            await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = name }, Ports = [new V1ServicePort { Port = 8080 }] },
            }, "shop");
        }

        await CreatePodAsync(client, "shop", "app", "python3", "-c", Resolver);
        var ip = await PodIpAsync(client, "shop", "app");
        await UntilRoundAsync(client, "shop", "app", 0, "ok ok", "before the experiment");

        var experiment = Experiment.On(Pods.In("shop").WithLabel("app", "app"))
            .DnsChaos(o => { o.Mode = DnsChaosMode.Fail; o.Patterns.Add("cart.*"); })
            .For(TimeSpan.FromSeconds(8))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });
        var run = await StartAndWaitInstalledAsync(client, "shop", "app", experiment);
        var tags = ChaosRuleTags(ip);

        // Rounds that began after the redirection was in: the first one printed may have begun before.
        var mark = (await RoundsAsync(client, "shop", "app")).Count + 1;
        var during = (await UntilRoundsAsync(client, "shop", "app", mark + 3, run)).Skip(mark).Take(3).ToList();
        var result = await run;
        var recovered = await UntilRoundAsync(client, "shop", "app", (await RoundsAsync(client, "shop", "app")).Count + 1, "ok ok", "after recovery");

        Console.WriteLine($"during: {string.Join(", ", during)}; after: {recovered}; rules {string.Join(",", tags)}; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        during.Should().AllBe("fail ok", "cart.* fails to resolve, orders resolves");
        ChaosRuleTags(ip).Should().BeEmpty("recovery removed the redirection to the DNS proxy");
    }
}
