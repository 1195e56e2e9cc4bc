using System.Text.Json;
using Chaos.Testing.Emulator;
using Chaos.Testing.NUnit;
using k8s;

namespace Chaos.Testing.NUnit.Tests;

/// <summary>The set-up fixture runs the janitor when it acquires the cluster: leftovers of a crashed run are recovered first.</summary>
[NonParallelizable]
public sealed class InitialSweepTests
{
    [Test]
    public async Task Acquiring_a_cluster_with_a_leftover_cordon_recovers_it_before_the_tests()
    {
        await using var emulator = await KubernetesEmulator.StartAsync();
        var node = await emulator.Client.CoreV1.ReadNodeAsync("node-3");
        node.Spec.Unschedulable = true;
        // Sealed with the cluster's ledger key, as the run wrote it.
        var key = await LedgerKeyStore.GetOrCreateAsync(emulator.Client, new ApiCalls(TimeProvider.System), new SafetyOptions().LedgerKeySecret, CancellationToken.None);
        Ledger.Add(node.Metadata, LedgerEntry.Parse(JsonSerializer.Serialize(new
        {
            experiment = "crashed00002",
            fault = "node-cordon",
            deadline = DateTimeOffset.UtcNow.AddMinutes(-1),
            owner = new { host = "ci-runner-that-died", pid = 4242, started = DateTimeOffset.UtcNow.AddHours(-1) },
            recovery = new { cordoned = true },
        }))! with { Key = key });
        await emulator.Client.CoreV1.ReplaceNodeAsync(node, "node-3");

        // The suite's own cluster is put back afterwards: this test borrows the static slot.
        var (current, reason, sweep) = (ChaosCluster.Current, ChaosCluster.UnavailableReason, ChaosCluster.InitialSweep);
        var setUp = new KubeconfigSetUp(emulator.KubeconfigPath);
        try
        {
            await setUp.AcquireChaosClusterAsync();

            ChaosCluster.UnavailableReason.Should().BeNull();
            ChaosCluster.InitialSweep!.Recovered.Should().ContainSingle().Which.Should().Contain("Node node-3, experiment crashed00002 (node-cordon)").And.EndWith("uncordoned");
            (await emulator.Client.CoreV1.ReadNodeAsync("node-3")).Spec.Unschedulable.Should().BeNull();
        }
        finally
        {
            await setUp.ReleaseChaosClusterAsync();
            (ChaosCluster.Current, ChaosCluster.UnavailableReason, ChaosCluster.InitialSweep) = (current, reason, sweep);
        }
    }

    private sealed class KubeconfigSetUp(string kubeconfig) : ChaosClusterSetUp
    {
        protected override ChaosClusterOptions CreateOptions() => new() { Kind = ChaosClusters.Kubeconfig, KubeconfigPath = kubeconfig };
    }
}
