using System.Net;
using Chaos.Testing.Tests.Support;
using k8s;

namespace Chaos.Testing.Tests.Payloads.Images;

/// <summary>
/// Every payload fault's scripts call only tools its default image provides (<see cref="PayloadImages"/>, read from each
/// image's published build): each variant below runs through the public DSL on the emulator, the payload containers'
/// <c>sh -c</c> scripts are read back from the cluster, and the fault's early-recovery cleanup script is rendered from its
/// catalog profile as the engine and the janitor render it.
/// </summary>
public sealed class PayloadToolContractTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    private static readonly Dictionary<string, Func<FaultSampleTargets, ChaosExperiment>> Variants = new(StringComparer.Ordinal)
    {
        ["network-delay egress"] = t => t.Pods.DelayNetwork(TimeSpan.FromMilliseconds(100)),
        ["network-delay ingress filtered"] = t => t.Pods.DelayNetwork(TimeSpan.FromMilliseconds(100), o => { o.Direction = TrafficDirection.Ingress; o.Jitter = TimeSpan.FromMilliseconds(5); o.Destinations.Add("10.0.0.0/8"); o.Ports.Add(8080); }),
        ["packet-loss both"] = t => t.Pods.LosePackets(30, o => o.Direction = TrafficDirection.Both),
        ["packet-loss egress filtered"] = t => t.Pods.LosePackets(30, o => o.Ports.Add(53)),
        ["packet-corruption ingress"] = t => t.Pods.CorruptPackets(10, o => o.Direction = TrafficDirection.Ingress),
        ["packet-duplication egress"] = t => t.Pods.DuplicatePackets(10),
        ["bandwidth both"] = t => t.Pods.LimitBandwidth(1_000_000, o => o.Direction = TrafficDirection.Both),
        ["network-partition both"] = t => t.Pods.Partition(o => o.Peers = t.Peers),
        ["network-partition to cidrs"] = t => t.Pods.Partition(o => { o.Cidrs.Add("10.9.0.0/16"); o.Direction = PartitionDirection.To; }),
        ["dns-chaos block"] = t => t.Pods.DnsChaos(),
        ["dns-chaos fail"] = t => t.Pods.DnsChaos(o => { o.Mode = DnsChaosMode.Fail; o.Patterns.Add("*.example.com"); }),
        ["dns-chaos wrong address"] = t => t.Pods.DnsChaos(o => { o.Mode = DnsChaosMode.WrongAddress; o.Patterns.Add("prices"); o.Address = IPAddress.Parse("10.0.0.9"); }),
        ["http-chaos abort"] = t => t.Pods.HttpChaos(8080, o => o.AbortStatus = 503),
        ["http-chaos delay"] = t => t.Pods.HttpChaos(8080, o => { o.Delay = TimeSpan.FromMilliseconds(200); o.PathPrefix = "/api"; o.Method = "GET"; o.Percent = 50; }),
        ["cpu-stress"] = t => t.Pods.StressCpu(o => { o.Load = 50; o.Workers = 2; }),
        ["memory-stress bytes"] = t => t.Pods.StressMemory(),
        ["memory-stress percent"] = t => t.Pods.StressMemory(o => { o.Bytes = null; o.Percent = 20; }),
        ["disk-fill"] = t => t.Pods.FillDisk(o => o.Percent = 80),
        ["container-kill"] = t => t.Pods.KillContainer(),
        ["node-cpu-stress"] = t => t.Nodes.StressCpu(o => o.Load = 50),
        ["node-disk-fill"] = t => t.Nodes.FillDisk(o => o.Percent = 80),
    };

    private static IEnumerable<string> PayloadFaultNames =>
        FaultCatalog.All.Where(f => f.Mechanism is FaultMechanism.PodPayload or FaultMechanism.NodePayload).Select(f => f.Name);

    public static TheoryData<string> PayloadFaults() => [.. PayloadFaultNames];

    [Theory]
    [MemberData(nameof(PayloadFaults))]
    public async Task PayloadAndCleanupScripts_CallOnlyToolsOfTheDefaultImage_AndExactlyTheListedOnes(string fault)
    {
        PayloadImages.Faults.Should().ContainKey(fault, "every payload fault states its image's tool contract");
        var (image, declared) = PayloadImages.Faults[fault];
        var scripts = new List<(string Origin, string Script)> { ($"{fault} early-recovery cleanup", CleanupScript(fault, image)) };
        foreach (var variant in Variants.Keys.Where(v => v.Split(' ')[0] == fault))
        {
            var run = await RunAndReadScriptsAsync(Variants[variant]);
            run.Should().NotBeEmpty($"{variant} runs a payload");
            foreach (var (containerImage, script) in run)
            {
                containerImage.Should().Be(image.Reference, $"{variant} runs the fault's default image");
                scripts.Add((variant, script));
            }
        }

        var all = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (origin, script) in scripts)
        {
            // sh itself: the container's command is sh -c <script> (PayloadScript.Command, the cleanup containers alike).
            var calls = ShellCalls.Of(script, image.Tools.Contains);
            calls.Add("sh");
            calls.Except(image.Tools).Should().BeEmpty(
                $"every tool the script of {origin} calls must be in {image.Reference} (checked at {image.CheckedAt}); script:\n{script}");
            all.UnionWith(calls);
        }

        all.Should().Contain(CoreTool(fault), "the parser finds the fault's own tool");
        all.Should().BeEquivalentTo(declared, $"PayloadImages.Faults[\"{fault}\"] (and the docs page) list exactly the tools its scripts call");
    }

    [Fact]
    public void EveryPayloadFault_HasAToolContract_AndEveryDefaultImageIsInTheTable()
    {
        PayloadImages.Faults.Keys.Should().BeEquivalentTo(PayloadFaultNames);
        PayloadImages.Faults.Values.Select(v => v.Image).Distinct().Should().BeEquivalentTo(PayloadImages.All);
        foreach (var (fault, (image, declared)) in PayloadImages.Faults)
        {
            declared.Except(image.Tools).Should().BeEmpty($"{fault} declares only tools {image.Reference} provides");
        }

        Variants.Keys.Select(v => v.Split(' ')[0]).Distinct().Should().BeEquivalentTo(PayloadImages.Faults.Keys, "every payload fault has a variant above");
    }

    private static string CoreTool(string fault) => fault switch
    {
        "network-partition" => "iptables",
        "dns-chaos" or "http-chaos" => "iptables",
        "cpu-stress" or "memory-stress" or "node-cpu-stress" => "stress-ng",
        "disk-fill" or "node-disk-fill" => "stat",
        "container-kill" => "sed",
        _ => "tc",
    };

    /// <summary>The fault's early-recovery cleanup script, as the engine and the janitor render it from its catalog profile.</summary>
    private static string CleanupScript(string fault, PayloadImage image)
    {
        if (PodPayloadFault.ProfileOf(FaultCatalog.Find(fault)!) is { } profile)
        {
            profile.DefaultImage.Should().Be(image.Reference, "the janitor cleans up with the fault's default image");
            var record = new PodPayloadRecord { Target = "cart", Interface = profile.Network ? PayloadProfile.Interface : null, Path = profile.FillsDisk ? "/tmp" : null };
            return PayloadCleanup.Render("run1", PodPayloadFault.CleanupTargets(record, profile, "run1"));
        }

        // A node payload's cleanup pod (NodePayloadFault.RecoverNodeAsync): the fill file under the host mount, if any.
        var fill = fault == "node-disk-fill" ? $"{PayloadProfile.HostMount}/{DiskFillPayloads.FileName("run1")}" : null;
        return PayloadCleanup.Render("run1", new PayloadCleanupTargets(FillFile: fill));
    }

    /// <summary>Runs the experiment for a second and returns the image and script of every <c>sh -c</c> payload container it created.</summary>
    private static async Task<List<(string Image, string Script)>> RunAndReadScriptsAsync(Func<FaultSampleTargets, ChaosExperiment> variant)
    {
        await using var cluster = await ShopCluster.StartAsync();
        var targets = new FaultSampleTargets(Experiment.On(Cart), Experiment.On(Nodes.Named("node-2")), Pods.In("shop").WithLabel("app", "cart"));
        var seen = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var pod in (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync()).Items)
                {
                    var containers = (pod.Spec.EphemeralContainers ?? []).Select(c => (c.Name, c.Image, c.Command))
                        .Concat(pod.Metadata.Labels?.ContainsKey("chaos.testing/experiment") == true ? pod.Spec.Containers.Select(c => (c.Name, c.Image, c.Command)) : []);
                    foreach (var (name, image, command) in containers)
                    {
                        if (command is ["sh", "-c", var script, ..])
                        {
                            seen[$"{pod.Metadata.Name}/{name}"] = (image, script);
                        }
                    }
                }

                await Task.Delay(20);
            }
        });

        var result = await variant(targets).For(TimeSpan.FromSeconds(1)).RunAsync(cluster.Client);
        await stop.CancelAsync();
        await watch;
        result.Verdict.Should().NotBe(ExperimentVerdict.Aborted, result.ToReport());
        return [.. seen.Values];
    }
}
