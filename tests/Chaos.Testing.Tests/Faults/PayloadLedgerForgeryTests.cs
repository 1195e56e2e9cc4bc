using System.Text.Json.Nodes;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// The ledger holds data only: a forged payload record naming an image, a script, capabilities or a hostPath makes the
/// janitor run none of them. Its cleanup container is built from code (capabilities, script) and configuration (image);
/// a cleanup whose image cannot be pulled is reported and retried afresh, under a new name each time.
/// </summary>
public sealed class PayloadLedgerForgeryTests
{
    private const string Id = "f0f0f0f0f0f0";

    [Theory]
    [InlineData("cpu-stress", StressFaultOptions.DefaultImage, new string[0])]
    [InlineData("network-delay", NetworkFaultOptions.DefaultImage, new[] { "NET_ADMIN", "NET_RAW" })]
    public async Task ForgedPodPayloadRecord_WithEvilImageScriptCapabilities_CleanupUsesOnlyCodeDerivedValues(string fault, string image, string[] capabilities)
    {
        await using var cluster = await ShopCluster.StartAsync();
        await MarkVictimAsync(cluster, fault, Evil(fault == "network-delay" ? "eth0" : null));

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Recovered.Should().ContainSingle().Which.Should().Contain($"stopped early by chaos-{fault}-{Id}-cleanup-1, fault removed (verified)");
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("etcd-victim", "shop");
        var cleanup = pod.Spec.EphemeralContainers.Should().ContainSingle().Which;
        cleanup.Image.Should().Be(image);
        cleanup.SecurityContext.Capabilities.Drop.Should().Equal("ALL");
        (cleanup.SecurityContext.Capabilities.Add ?? []).Should().Equal(capabilities);
        cleanup.SecurityContext.Privileged.Should().BeFalse();
        cleanup.VolumeMounts.Should().BeNull();
        cleanup.Command.Should().Equal("sh", "-c", PayloadCleanup.Render(Id, new PayloadCleanupTargets(fault == "network-delay" ? "eth0" : null, SeesPayload: fault != "network-delay")), "chaos-cleanup");
        var json = KubernetesJson.Serialize(pod.Spec);
        json.Should().NotContain("evil").And.NotContain("SYS_ADMIN").And.NotContain("owned").And.NotContain("hostPath");
        (pod.Metadata.Annotations ?? new Dictionary<string, string>()).Should().NotContainKey($"chaos.testing/ledger-{Id}");
    }

    [Fact]
    public async Task ForgedNodePayloadRecord_WithEvilNamespaceImageHostPath_CleanupPodUsesOnlyCodeAndConfiguration()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var node = await cluster.Client.CoreV1.ReadNodeAsync("node-1");
        var record = Evil(null);
        record["node"] = "node-1";
        record["index"] = 0;
        record["path"] = "/var/tmp";
        record["namespace"] = "kube-system";
        Mark(node.Metadata, Entry("node-disk-fill", record), await TestLedger.KeyAsync(cluster.Client));
        await cluster.Client.CoreV1.ReplaceNodeAsync(node, "node-1");
        cluster.Emulator.Audit.Clear();

        var sweeping = ChaosJanitor.SweepAsync(cluster.Client);
        var cleanup = await Eventually.SingleAsync(async () => (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: $"chaos.testing/experiment={Id}")).Items);
        var sweep = await sweeping;

        sweep.Recovered.Should().ContainSingle().Which.Should().Contain($"cleaned up by chaos-node-disk-fill-{Id}-0-cleanup-1 (verified)");
        cleanup.Metadata.NamespaceProperty.Should().Be("default", "the namespace comes from configuration (SweepOptions.NodePayloadNamespace)");
        cleanup.Spec.NodeName.Should().Be("node-1");
        cleanup.Spec.AutomountServiceAccountToken.Should().BeFalse();
        cleanup.Spec.Volumes.Should().ContainSingle().Which.HostPath.Path.Should().Be("/var/tmp");
        var container = cleanup.Spec.Containers.Single();
        container.Image.Should().Be(DiskFillOptions.DefaultImage);
        container.SecurityContext.Capabilities.Drop.Should().Equal("ALL");
        container.SecurityContext.Capabilities.Add.Should().BeNull();
        container.Command.Should().Equal("sh", "-c", PayloadCleanup.Render(Id, new PayloadCleanupTargets(FillFile: $"/host/chaos-fill-{Id}")), "chaos-cleanup");
        KubernetesJson.Serialize(cleanup.Spec).Should().NotContain("evil").And.NotContain("SYS_ADMIN").And.NotContain("owned");
        cluster.Emulator.Audit.Writes.Should().NotContain(w => w.Namespace == "kube-system");
    }

    [Fact]
    public async Task UnpullableCleanupImage_IsReportedWithImageAndReason_RetriedAfresh_AndTheNextSweepUsesAFreshName()
    {
        await using var cluster = await ShopCluster.StartAsync(configure: o => o.UnpullableImages.Add(StressFaultOptions.DefaultImage));
        await MarkVictimAsync(cluster, "cpu-stress", new JsonObject { ["target"] = "app" });

        var first = await ChaosJanitor.SweepAsync(cluster.Client);

        first.Failed.Should().ContainSingle().Which.Should()
            .Contain($"after {PodCleanupRun.MaxAttempts} attempts").And.Contain($"image \"{StressFaultOptions.DefaultImage}\" ErrImagePull: pull access denied")
            .And.Contain($"chaos-cpu-stress-{Id}-cleanup-3");
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("etcd-victim", "shop");
        pod.Spec.EphemeralContainers.Select(c => c.Name).Should().Equal([.. Enumerable.Range(1, 3).Select(n => $"chaos-cpu-stress-{Id}-cleanup-{n}")]);
        pod.Metadata.Annotations.Should().ContainKey($"chaos.testing/ledger-{Id}", "nothing verified the fault gone, so the entry stays");

        cluster.Emulator.Options.UnpullableImages.Clear();
        var second = await ChaosJanitor.SweepAsync(cluster.Client);

        second.Recovered.Should().ContainSingle().Which.Should().Contain($"stopped early by chaos-cpu-stress-{Id}-cleanup-4, fault removed (verified)");
    }

    private static JsonObject Evil(string? iface) => new()
    {
        ["target"] = "app", ["interface"] = iface, ["container"] = "debugger", ["image"] = "evil.example/rootkit:latest",
        ["capabilities"] = new JsonArray("SYS_ADMIN", "SYS_MODULE"), ["cleanup"] = "echo owned", ["process"] = "x",
        ["mounts"] = new JsonObject { ["root"] = "/" }, ["hostPath"] = "/",
    };

    private static async Task MarkVictimAsync(ShopCluster cluster, string fault, JsonObject record)
    {
        await cluster.Emulator.ApplyYamlAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: etcd-victim
              namespace: shop
              labels:
                app: victim
            spec:
              containers:
                - name: app
                  image: example/app:1.0
            """);
        await cluster.WaitForReadyPodsAsync("shop", "app=victim", 1);
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("etcd-victim", "shop");
        Mark(pod.Metadata, Entry(fault, record), await TestLedger.KeyAsync(cluster.Client));
        await cluster.Client.CoreV1.ReplaceNamespacedPodAsync(pod, "etcd-victim", "shop");
        cluster.Emulator.Audit.Clear();
    }

    private static LedgerEntry Entry(string fault, JsonObject record) => TestLedger.Entry(Id, fault, record);

    /// <summary>Sealed with the cluster's key: what a forger who got hold of the key could write (unsealed ones never get this far).</summary>
    private static void Mark(V1ObjectMeta metadata, LedgerEntry entry, LedgerKey key) => TestLedger.Seal(metadata, entry, key);
}
