using Chaos.Testing.Tests.Support;
using k8s;

namespace Chaos.Testing.Tests.Faults;

/// <summary>A payload that would not fit is refused before any write, with the numbers: an exec argument, the annotations.</summary>
public sealed class PayloadLimitsTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    [Fact]
    public async Task Partition_FromSoManyPeersItsScriptOverflowsAnExecArgument_IsRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var peers = Enumerable.Range(0, 400).Select(i => $"10.{i / 200}.{i % 200}.7").ToList();

        var run = () => Experiment.On(Cart).Partition(o => peers.ForEach(o.Cidrs.Add)).For(TimeSpan.FromSeconds(1)).RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>()).WithMessage(
            "Refusing to partition pod shop/cart-*: its payload script would be * bytes, over Linux's limit of 131,072 bytes for one exec argument,"
            + " so the container could not start it. It grows with the addresses the fault names: give fewer peers, or CIDRs that cover them. Nothing was changed.");
        // Nothing written to any target; the run's own bookkeeping (the ledger key and its Lease, in chaos-testing) aside.
        cluster.Emulator.Audit.Writes.Where(w => w.Resource is not ("events" or "namespaces" or "secrets" or "leases")).Should().BeEmpty();
    }

    [Fact]
    public async Task Payload_WhoseLedgerEntryWouldOverflowThePodsAnnotations_IsRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync(replicas: 1);
        var pod = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items[0];
        pod.Metadata.Annotations = new Dictionary<string, string> { ["example.com/blob"] = new string('x', (256 * 1024) - 100) };
        await cluster.Client.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, "shop");
        cluster.Emulator.Audit.Clear();

        var run = () => Experiment.On(Cart).StressCpu().WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; })
            .For(TimeSpan.FromSeconds(1)).RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>()).WithMessage(
            $"Refusing to stress the CPU of pod shop/{pod.Metadata.Name}: its ledger entry would bring the object's annotations to * bytes (262,060 there already),"
            + " over the API server's limit of 262,144 bytes. Remove annotations the object does not need, pick other targets, or (for a partition) give fewer peers."
            + " Nothing was changed.");
        // Nothing written to any target; the run's own bookkeeping (the ledger key and its Lease, in chaos-testing) aside.
        cluster.Emulator.Audit.Writes.Where(w => w.Resource is not ("events" or "namespaces" or "secrets" or "leases")).Should().BeEmpty();
    }
}
