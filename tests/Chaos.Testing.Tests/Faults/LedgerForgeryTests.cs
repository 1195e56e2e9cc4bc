using System.Text.Json.Nodes;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// The attacks of an identity that can write annotations but cannot read the ledger key: forged, tampered, copied and
/// foreign-key entries are reported and never acted on (zero writes in the emulator's audit log); a run whose own entry
/// was tampered with during its hold does not restore what the tampered entry says.
/// </summary>
public sealed class LedgerForgeryTests
{
    private const string Id = "f0f0f0f0f0f0";

    public static TheoryData<string> Attacks => ["pod-failure to the forger's image", "node payload with the forger's image and hostPath /", "removal of an administrator's taint", "uncordon of an administrator's cordon", "payload with SYS_ADMIN"];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task ForgedEntry_WithoutASeal_IsReported_NothingWritten(string attack)
    {
        await using var cluster = await ShopCluster.StartAsync();
        await TestLedger.KeyAsync(cluster.Client); // the cluster has a key: a run happened here before
        var (kind, name) = await ForgeAsync(cluster, attack, seal: null);
        cluster.Emulator.Audit.Clear();

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Recovered.Should().BeEmpty();
        sweep.Failed.Should().ContainSingle().Which.Should().StartWith($"{kind} {name}: annotation chaos.testing/ledger-{Id} fails verification against the ledger key (Secret chaos-testing/ledger-key)")
            .And.EndWith("; it was not acted on");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
        await AssertUntouchedAsync(cluster, attack);
    }

    [Fact]
    public async Task TamperedEntry_IsReported_NothingWritten()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var key = await TestLedger.KeyAsync(cluster.Client);
        var node = await cluster.Client.CoreV1.ReadNodeAsync("node-2");
        node.Spec.Unschedulable = true;
        TestLedger.Seal(node.Metadata, Entry("node-cordon", new JsonObject { ["cordoned"] = false }), key);
        // Sealed as "it was cordoned before, leave it"; changed to "we cordoned it, uncordon it".
        node.Metadata.Annotations[$"chaos.testing/ledger-{Id}"] = node.Metadata.Annotations[$"chaos.testing/ledger-{Id}"].Replace("\"cordoned\":false", "\"cordoned\":true", StringComparison.Ordinal);
        await cluster.Client.CoreV1.ReplaceNodeAsync(node, "node-2");
        cluster.Emulator.Audit.Clear();

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Failed.Should().ContainSingle().Which.Should().Contain("fails verification");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
        (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable.Should().BeTrue();
    }

    [Fact]
    public async Task EntryCopiedToAnotherObject_IsReportedThere_AndRecoveredWhereItWasWritten()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var key = await TestLedger.KeyAsync(cluster.Client);
        var original = await cluster.Client.CoreV1.ReadNodeAsync("node-1");
        original.Spec.Unschedulable = true;
        TestLedger.Seal(original.Metadata, Entry("node-cordon", new JsonObject { ["cordoned"] = true }), key);
        await cluster.Client.CoreV1.ReplaceNodeAsync(original, "node-1");
        var copy = await cluster.Client.CoreV1.ReadNodeAsync("node-2");
        copy.Spec.Unschedulable = true;
        copy.Metadata.Annotations ??= new Dictionary<string, string>();
        copy.Metadata.Annotations[$"chaos.testing/ledger-{Id}"] = original.Metadata.Annotations[$"chaos.testing/ledger-{Id}"];
        copy.Metadata.Labels["chaos.testing/ledger"] = "true";
        await cluster.Client.CoreV1.ReplaceNodeAsync(copy, "node-2");

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Recovered.Should().ContainSingle().Which.Should().StartWith($"Node node-1, experiment {Id} (node-cordon)").And.EndWith("uncordoned");
        sweep.Failed.Should().ContainSingle().Which.Should().StartWith("Node node-2: ").And.Contain("fails verification");
        (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable.Should().BeTrue("an entry sealed for node-1 says nothing about node-2");
    }

    [Fact]
    public async Task EntrySealedWithAnotherKey_IsReported_NothingWritten()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await TestLedger.KeyAsync(cluster.Client);
        await ForgeAsync(cluster, "uncordon of an administrator's cordon", seal: new LedgerKey(LedgerKey.NewBytes(), "the forger's own key"));
        cluster.Emulator.Audit.Clear();

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Failed.Should().ContainSingle().Which.Should().Contain("fails verification");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task ClusterWithoutAKey_NothingIsVerified_AndTheSweepMakesNoKey()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await ForgeAsync(cluster, "pod-failure to the forger's image", seal: null);
        cluster.Emulator.Audit.Clear();

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Failed.Should().ContainSingle().Which.Should().Contain(
            $"annotation chaos.testing/ledger-{Id} cannot be verified: the ledger key (Secret chaos-testing/ledger-key) does not exist");
        cluster.Emulator.Audit.Writes.Should().BeEmpty("a sweep only reads the key");
    }

    [Fact]
    public async Task AKeySecretThatIsTooShort_IsNamed_TheSweepActsOnNothing_AndARunIsRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "chaos-testing" } });
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "ledger-key" }, Data = new Dictionary<string, byte[]> { ["key"] = [1, 2, 3, 4, 5] } }, "chaos-testing");
        await ForgeAsync(cluster, "uncordon of an administrator's cordon", seal: null);
        cluster.Emulator.Audit.Clear();

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);
        sweep.Failed.Should().ContainSingle().Which.Should().Contain("Secret chaos-testing/ledger-key: data.key must hold at least 32 random bytes, it holds 5 byte(s)");

        var run = () => Experiment.On(Nodes.Named("node-1")).Cordon().RunAsync(cluster.Client);
        (await run.Should().ThrowAsync<ChaosRefusedException>()).Which.Message.Should().Contain("data.key must hold at least 32 random bytes").And.Contain("Nothing was changed");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task RunWhoseEntryIsTamperedWithDuringItsHold_DoesNotRestoreWhatTheTamperedEntrySays()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var running = Experiment.On(Pods.In("shop").WithLabel("app", "cart")).One().WithSeed(1).Fail().For(TimeSpan.FromSeconds(3)).RunAsync(cluster.Client);
        var pod = await Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "chaos.testing/ledger=true")).Items);
        await Eventually.TrueAsync(async () =>
        {
            // The kubelet updates the pod's status meanwhile: read, change, write until the write wins.
            pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, "shop");
            var annotation = pod.Metadata.Annotations.Single(a => a.Key.StartsWith("chaos.testing/ledger-", StringComparison.Ordinal)).Key;
            pod.Metadata.Annotations[annotation] = pod.Metadata.Annotations[annotation].Replace("example/cart:1.0", "evil.example/rootkit:latest", StringComparison.Ordinal);
            try
            {
                await cluster.Client.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, "shop");
                return true;
            }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                return false;
            }
        }, "the entry tampered with");

        var result = await running;

        result.NotRecovered.Should().ContainSingle().Which.Should().Contain("fails verification");
        var after = await cluster.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, "shop");
        after.Spec.Containers.Should().NotContain(c => c.Image.Contains("evil", StringComparison.Ordinal));
        (await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { Force = true })).Failed.Should().ContainSingle().Which.Should().Contain("fails verification");
    }

    private static LedgerEntry Entry(string fault, JsonObject record) => TestLedger.Entry(Id, fault, record);

    /// <summary>Writes the attack's entry (sealed with <paramref name="seal"/>, or with no seal); returns where.</summary>
    private static async Task<(string Kind, string Name)> ForgeAsync(ShopCluster cluster, string attack, LedgerKey? seal)
    {
        void Mark(V1ObjectMeta metadata, LedgerEntry entry)
        {
            if (seal is not null)
            {
                TestLedger.Seal(metadata, entry, seal);
                return;
            }

            metadata.Annotations ??= new Dictionary<string, string>();
            metadata.Annotations[$"chaos.testing/ledger-{entry.Experiment}"] = entry.ToJson();
            metadata.Labels ??= new Dictionary<string, string>();
            metadata.Labels["chaos.testing/ledger"] = "true";
        }

        if (attack is "pod-failure to the forger's image" or "payload with SYS_ADMIN")
        {
            var pod = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart")).Items[0];
            Mark(pod.Metadata, attack.StartsWith("pod-failure", StringComparison.Ordinal)
                ? Entry("pod-failure", new JsonObject { ["pause"] = "example/pause:1", ["images"] = new JsonObject { ["cart"] = "evil.example/rootkit:latest" } })
                : Entry("cpu-stress", new JsonObject
                {
                    ["container"] = $"chaos-cpu-stress-{Id}", ["image"] = "evil.example/rootkit:latest", ["target"] = "cart",
                    ["capabilities"] = new JsonArray("SYS_ADMIN", "SYS_PTRACE", "NET_ADMIN", "SYS_MODULE"), ["cleanup"] = "echo owned", ["process"] = "x",
                }));
            await cluster.Client.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, "shop");
            return ("Pod", $"shop/{pod.Metadata.Name}");
        }

        var node = await cluster.Client.CoreV1.ReadNodeAsync("node-1");
        switch (attack)
        {
            case "node payload with the forger's image and hostPath /":
                Mark(node.Metadata, Entry("node-disk-fill", new JsonObject
                {
                    ["namespace"] = "default", ["node"] = "node-1", ["pod"] = $"chaos-node-disk-fill-{Id}-0",
                    ["image"] = "evil.example/rootkit:latest", ["hostPath"] = "/", ["cleanup"] = "rm -rf /host",
                }));
                break;
            case "removal of an administrator's taint":
                node.Spec.Taints = [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }];
                Mark(node.Metadata, Entry("node-taint", new JsonObject { ["key"] = "dedicated", ["value"] = "gpu", ["effect"] = "NoSchedule" }));
                break;
            default:
                node.Spec.Unschedulable = true;
                Mark(node.Metadata, Entry("node-cordon", new JsonObject { ["cordoned"] = true }));
                break;
        }

        await cluster.Client.CoreV1.ReplaceNodeAsync(node, "node-1");
        return ("Node", "node-1");
    }

    private static async Task AssertUntouchedAsync(ShopCluster cluster, string attack)
    {
        var node = await cluster.Client.CoreV1.ReadNodeAsync("node-1");
        var pods = (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync()).Items;
        pods.SelectMany(p => p.Spec.Containers).Should().NotContain(c => c.Image.Contains("evil", StringComparison.Ordinal));
        pods.Should().NotContain(p => p.Spec.EphemeralContainers != null && p.Spec.EphemeralContainers.Count > 0);
        pods.Should().NotContain(p => p.Metadata.Name.StartsWith("chaos-", StringComparison.Ordinal));
        if (attack == "removal of an administrator's taint")
        {
            node.Spec.Taints.Should().ContainSingle(t => t.Key == "dedicated" && t.Value == "gpu" && t.Effect == "NoSchedule");
        }

        if (attack == "uncordon of an administrator's cordon")
        {
            node.Spec.Unschedulable.Should().BeTrue();
        }
    }
}
