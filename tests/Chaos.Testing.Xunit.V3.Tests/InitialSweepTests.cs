using System.Text.Json;
using Chaos.Testing.Emulator;
using k8s;

namespace Chaos.Testing.Xunit.V3.Tests;

/// <summary>The fixture runs the janitor when it acquires the cluster: leftovers of a crashed run are recovered before the first test.</summary>
public sealed class InitialSweepTests
{
    [Fact]
    public async Task Fixture_AcquiringAClusterWithALeftoverCordon_RecoversItBeforeTheFirstTest()
    {
        await using var emulator = await KubernetesEmulator.StartAsync();
        await LeaveStaleCordonAsync(emulator.Client, "node-2");

        var fixture = new KubeconfigFixture(emulator.KubeconfigPath);
        await fixture.InitializeAsync();
        try
        {
            fixture.SkipReason.Should().BeNull();
            fixture.InitialSweep.Should().NotBeNull();
            fixture.InitialSweep!.Recovered.Should().ContainSingle().Which.Should().Contain("Node node-2, experiment crashed00001 (node-cordon)").And.EndWith("uncordoned");
            var node = await emulator.Client.CoreV1.ReadNodeAsync("node-2");
            node.Spec.Unschedulable.Should().BeNull();
            node.Metadata.Labels.Should().NotContainKey("chaos.testing/ledger");
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    /// <summary>What a run killed on another machine leaves: a cordon and its ledger entry, past its deadline.</summary>
    internal static async Task LeaveStaleCordonAsync(IKubernetes client, string name)
    {
        var node = await client.CoreV1.ReadNodeAsync(name);
        node.Spec.Unschedulable = true;
        // Sealed with the cluster's ledger key, as the run wrote it.
        var key = await LedgerKeyStore.GetOrCreateAsync(client, new ApiCalls(TimeProvider.System), new SafetyOptions().LedgerKeySecret, CancellationToken.None);
        Ledger.Add(node.Metadata, LedgerEntry.Parse(JsonSerializer.Serialize(new
        {
            experiment = "crashed00001",
            fault = "node-cordon",
            deadline = DateTimeOffset.UtcNow.AddMinutes(-1),
            owner = new { host = "ci-runner-that-died", pid = 4242, started = DateTimeOffset.UtcNow.AddHours(-1) },
            recovery = new { cordoned = true },
        }))! with { Key = key });
        await client.CoreV1.ReplaceNodeAsync(node, name);
    }

    private sealed class KubeconfigFixture(string kubeconfig) : ChaosClusterFixture(new ChaosClusterOptions { Kind = ChaosClusters.Kubeconfig, KubeconfigPath = kubeconfig });
}
