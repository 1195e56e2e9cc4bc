using System.Diagnostics;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using Xunit.Abstractions;
using static Chaos.Testing.Tests.Faults.Catalog.CatalogConformance;

namespace Chaos.Testing.Tests.Faults.Catalog;

/// <summary>
/// One theory per guarantee, over every fault of the catalog (the catalog is found from the fault classes, so a new
/// fault is in these theories the moment it exists): inject → the cluster changes as the descriptor says, with no write
/// its permissions do not cover → recover → the cluster as found; cancelled at 50 seeded random points → no residue;
/// dry run → no write at all. Its process killed mid-hold → the janitor restores: <see cref="CatalogCrashTests"/>.
/// </summary>
public sealed class CatalogConformanceTests(ITestOutputHelper output)
{
    private const int CancellationRuns = 50;

    public static TheoryData<string> Faults => Names();

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Inject_ChangesAsTheDescriptorSays_ThenRecoveryLeavesTheClusterAsFound(string name)
    {
        var fault = Fault(name);
        await using var cluster = await ShopCluster.StartAsync();
        var baseline = await ClusterState.CaptureAsync(cluster.Client);
        var pods = (await CartPodsAsync(cluster.Client)).Items;

        var result = await Sample(name, seed: 1).For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(20)))
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        var writes = cluster.Emulator.Audit.Writes.Where(w => w.StatusCode < 300).ToList();
        Unpermitted(fault, writes).Should().BeEmpty($"{name} declares what it may write: {string.Join(", ", fault.Permissions)}");
        var target = result.Affected[0];
        var onTarget = writes.Where(w => w.Name == target.Name && w.Namespace == target.Namespace).ToList();
        switch (fault.Mechanism)
        {
            case FaultMechanism.Delete:
                onTarget.Should().Contain(w => w.Verb == "delete" && w.Resource == "pods", "the target pod is deleted");
                fault.LeavesState.Should().BeFalse();
                break;
            case FaultMechanism.Write:
                onTarget.Count(w => w.Verb == "update" && w.Subresource == null).Should().BeGreaterThanOrEqualTo(2, "one write changes the target with its ledger entry, one restores it");
                fault.LeavesState.Should().BeTrue();
                break;
            case FaultMechanism.PodPayload:
                onTarget.Should().Contain(w => w.Verb == "update" && w.Subresource == "ephemeralcontainers", "the payload is an ephemeral container of the target");
                (await cluster.Client.CoreV1.ReadNamespacedPodAsync(target.Name, target.Namespace)).Spec.EphemeralContainers
                    .Should().Contain(c => c.Name == $"chaos-{name}-{result.ExperimentId}");
                fault.LeavesState.Should().BeTrue();
                break;
            case FaultMechanism.NodePayload:
                writes.Should().Contain(w => w.Verb == "create" && w.Resource == "pods" && w.Namespace == "default", "the payload runs in a pod pinned to the node");
                onTarget.Count(w => w.Verb == "update" && w.Resource == "nodes").Should().BeGreaterThanOrEqualTo(2, "the node carries the ledger entry while the payload runs");
                fault.LeavesState.Should().BeTrue();
                break;
        }

        if (fault.Mechanism == FaultMechanism.Delete)
        {
            await cluster.WaitForReadyPodsAsync("shop", "app=cart", pods.Count);
        }

        (await ResidueAsync(cluster.Client, baseline)).Should().BeEmpty(result.ToReport());
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task DryRun_PlansAndGuards_WritesNothing(string name)
    {
        await using var cluster = await ShopCluster.StartAsync();
        var result = await Sample(name, seed: 1).DryRun().RunAsync(cluster.Client);
        result.DryRun.Should().BeTrue();
        result.Affected.Should().NotBeEmpty().And.OnlyContain(a => a.Action.StartsWith("would ", StringComparison.Ordinal));
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task CancelledAtASeededRandomPoint_FiftyTimes_LeavesNoResidue(string name)
    {
        await using var cluster = await ShopCluster.StartAsync();
        var baseline = await ClusterState.CaptureAsync(cluster.Client);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var residueRuns = 0;
        var watch = Stopwatch.StartNew();
        for (var run = 0; run < CancellationRuns; run++)
        {
            var random = new Random(1000 + run);
            // A quarter of the runs are cancelled within 10 ms (plan, check-before, inject), the rest anywhere up to the end of a run.
            var cancelAfter = TimeSpan.FromMilliseconds(random.Next(4) == 0 ? random.NextDouble() * 10 : random.Next(0, 160));
            using var cancel = new CancellationTokenSource(cancelAfter);
            string outcome;
            try
            {
                var result = await Sample(name, run).For(TimeSpan.FromMilliseconds(100))
                    .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(20)))
                    .RunAsync(cluster.Client, cancel.Token)
                    .WaitAsync(TimeSpan.FromSeconds(60));
                outcome = result.Verdict == ExperimentVerdict.Aborted ? result.FailureReason! : result.Verdict.ToString();
                result.NotRecovered.Should().BeEmpty();
            }
            catch (OperationCanceledException)
            {
                outcome = "cancelled during plan (nothing written)";
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            var residue = await ResidueAsync(cluster.Client, baseline);
            if (residue.Count > 0)
            {
                residueRuns++;
                output.WriteLine($"run {run} (cancel after {cancelAfter.TotalMilliseconds} ms, {outcome}) left: {string.Join("; ", residue)}");
            }

            await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3, TimeSpan.FromSeconds(30));
        }

        output.WriteLine($"| {name} | {CancellationRuns} runs | residue in {residueRuns} | {watch.Elapsed.TotalSeconds:F1} s | "
            + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}")) + " |");
        residueRuns.Should().Be(0);
        outcomes.Keys.Should().Contain(k => k.StartsWith("cancelled during hold", StringComparison.Ordinal), "the seeded delays reach the hold");
    }
}
