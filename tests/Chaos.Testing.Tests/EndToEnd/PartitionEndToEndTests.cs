using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// A network partition through the DSL on the process runtime, seen by a client pod that connects to two servers in
/// rounds and prints what it reached: the partitioned server is cut off from it during the hold, the other is not.
/// </summary>
public sealed class PartitionEndToEndTests
{
    private const string Probe = """
        import socket, sys, time
        n = 0
        while True:
            r = []
            for ip in sys.argv[1:]:
                try:
                    socket.create_connection((ip, 8080), timeout=2).close(); r.append("ok")
                except Exception:
                    r.append("fail")
            print("round", n, " ".join(r), flush=True); n += 1; time.sleep(0.2)
        """;

    [ProcessRuntimeFact]
    public async Task Partition_CutsTheServerOffFromItsPeer_OnlyDuringTheHold()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var client = cluster.Client;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await CreateEchoAsync(client, "shop", "a");
        await CreateEchoAsync(client, "shop", "b");
        var a = await PodIpAsync(client, "shop", "a", 8080);
        var b = await PodIpAsync(client, "shop", "b", 8080);
        await CreatePodAsync(client, "shop", "client", "python3", "-c", Probe, a, b);
        await UntilRoundAsync(client, "shop", "client", 0, "ok ok", "before the experiment");

        var experiment = Experiment.On(Pods.In("shop").WithLabel("app", "a"))
            .Partition(o => o.Peers = Pods.In("shop").WithLabel("app", "client"))
            .For(TimeSpan.FromSeconds(10))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });
        var run = await StartAndWaitInstalledAsync(client, "shop", "a", experiment);
        var tags = ChaosRuleTags(a);

        // Rounds that began after the rules were in: the first one printed may have begun before.
        var mark = (await RoundsAsync(client, "shop", "client")).Count + 1;
        var during = await UntilRoundsAsync(client, "shop", "client", mark + 2, run);
        var result = await run;
        var recovered = await UntilRoundAsync(client, "shop", "client", (await RoundsAsync(client, "shop", "client")).Count + 1, "ok ok", "after recovery");

        Console.WriteLine($"during: {string.Join(", ", during.Skip(mark).Take(2))}; after: {recovered}; rules {string.Join(",", tags)}; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        tags.Should().NotBeEmpty("the partition is iptables rules in the target pod's namespace");
        during.Skip(mark).Take(2).Should().AllBe("fail ok", "the partitioned server is unreachable from its peer, the other server is not");
        ChaosRuleTags(a).Should().BeEmpty("recovery removed the partition's rules");
    }
}
