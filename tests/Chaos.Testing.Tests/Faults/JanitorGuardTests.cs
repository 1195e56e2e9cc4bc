using System.Text.Json.Nodes;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// Entries sealed with the cluster's key (as if the key had leaked, or a run had other guards) still meet the janitor's
/// second line: it applies the experiment guards and checks that an entry is what its fault would have written, reports
/// the rest, writes nothing. Unsealed and tampered entries never get this far: <see cref="LedgerForgeryTests"/>.
/// </summary>
public sealed class JanitorGuardTests
{
    private const string Id = "f0f0f0f0f0f0";

    [Fact]
    public async Task ForgedPodFailure_InAProtectedNamespace_IsReported_NothingWritten()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Emulator.ApplyYamlAsync(Victim("kube-system"));
        await MarkAsync(cluster, "kube-system", "etcd-victim", PodFailure("evil.example/rootkit:latest"));

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Recovered.Should().BeEmpty();
        sweep.Failed.Should().ContainSingle().Which.Should()
            .StartWith($"Pod kube-system/etcd-victim, experiment {Id} (pod-failure): the janitor does not act on it, as an experiment would be refused there: ")
            .And.Contain("it is protected");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task ForgedPodFailure_InAProductionNamespace_IsReported_UnlessTheSweepAllowsProduction()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Emulator.ApplyYamlAsync(Victim("payments", "environment: production"));
        await MarkAsync(cluster, "payments", "etcd-victim", PodFailure("example/payments:1.0"));

        var refused = await ChaosJanitor.SweepAsync(cluster.Client);
        refused.Failed.Should().ContainSingle().Which.Should().Contain("looks like production");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();

        var allowed = await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { Safety = new SafetyOptions { AllowProduction = true } });
        allowed.Recovered.Should().ContainSingle().Which.Should().EndWith("images restored: app=example/payments:1.0");
    }

    [Fact]
    public async Task Entry_OnAnExcludedPod_IsReported_NothingWritten()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Emulator.ApplyYamlAsync(Victim("shop", podLabel: "chaos.testing/exclude: \"true\""));
        await MarkAsync(cluster, "shop", "etcd-victim", PodFailure("example/app:1.0"));

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Failed.Should().ContainSingle().Which.Should().Contain("it is labelled chaos.testing/exclude=true");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Entry_WhoseKeyNamesAnotherExperiment_IsReported_NothingWritten()
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Emulator.ApplyYamlAsync(Victim("shop"));
        await MarkAsync(cluster, "shop", "etcd-victim", PodFailure("example/app:1.0"), key: "chaos.testing/ledger-0123456789ab");

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Failed.Should().ContainSingle().Which.Should().Be(
            $"Pod shop/etcd-victim: annotation chaos.testing/ledger-0123456789ab names experiment {Id}, not the one its key names; it was not acted on");
        sweep.Recovered.Should().BeEmpty();
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task ForgedNodePayload_WithTheNodeRootAsItsDirectory_IsRefusedNamingTheField_NothingWritten()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var node = await cluster.Client.CoreV1.ReadNodeAsync("node-1");
        var record = new JsonObject
        {
            ["node"] = "node-1", ["index"] = 0, ["path"] = "/",
            ["namespace"] = "kube-system", ["image"] = "evil.example/rootkit:latest", ["hostPath"] = "/", ["cleanup"] = "rm -rf /host",
        };
        Mark(node.Metadata, Entry("node-disk-fill", record), await TestLedger.KeyAsync(cluster.Client));
        await cluster.Client.CoreV1.ReplaceNodeAsync(node, "node-1");
        cluster.Emulator.Audit.Clear();

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Failed.Should().ContainSingle().Which.Should().Contain("recovery.path = \"/\"").And.Contain("other than \"/\"").And.Contain("Nothing was changed");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Theory]
    [InlineData("cpu-stress", "target", "../../etc")]
    [InlineData("network-delay", "interface", "eth0; reboot")]
    [InlineData("disk-fill", "path", "/var/../../etc")]
    public async Task ForgedPodPayload_WithABadField_IsRefusedNamingTheField_NothingWritten(string fault, string field, string value)
    {
        await using var cluster = await ShopCluster.StartAsync();
        await cluster.Emulator.ApplyYamlAsync(Victim("shop"));
        var record = new JsonObject { ["target"] = "app", ["interface"] = fault == "network-delay" ? "eth0" : null, ["path"] = fault == "disk-fill" ? "/tmp" : null };
        record[field] = value;
        await MarkAsync(cluster, "shop", "etcd-victim", Entry(fault, record));

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Failed.Should().ContainSingle().Which.Should().Contain($"recovery.{field} = \"{value}\"").And.Contain("it must be").And.Contain("Nothing was changed");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    private static LedgerEntry PodFailure(string original) =>
        Entry("pod-failure", new JsonObject { ["pause"] = "example/pause:1", ["images"] = new JsonObject { ["app"] = original } });

    private static LedgerEntry Entry(string fault, JsonObject record) => TestLedger.Entry(Id, fault, record);

    private static void Mark(V1ObjectMeta metadata, LedgerEntry entry, LedgerKey key, string? annotation = null)
    {
        TestLedger.Seal(metadata, entry, key);
        if (annotation is not null)
        {
            // Moved under another key after sealing: what someone who copies annotations around makes.
            metadata.Annotations[annotation] = metadata.Annotations[$"chaos.testing/ledger-{entry.Experiment}"];
            metadata.Annotations.Remove($"chaos.testing/ledger-{entry.Experiment}");
        }
    }

    private static async Task MarkAsync(ShopCluster cluster, string ns, string name, LedgerEntry entry, string? key = null)
    {
        await cluster.WaitForReadyPodsAsync(ns, "app=victim", 1);
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, ns);
        pod.Spec.Containers[0].Image = "example/pause:1";
        Mark(pod.Metadata, entry, await TestLedger.KeyAsync(cluster.Client), key);
        await cluster.Client.CoreV1.ReplaceNamespacedPodAsync(pod, name, ns);
        cluster.Emulator.Audit.Clear();
    }

    private static string Victim(string ns, string? namespaceLabel = null, string? podLabel = null) => (namespaceLabel is null ? string.Empty : $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {ns}
          labels:
            {namespaceLabel}
        ---

        """) + $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: etcd-victim
          namespace: {ns}
          labels:
            app: victim
            {podLabel ?? "tier: data"}
        spec:
          containers:
            - name: app
              image: example/app:1.0
        """;
}
