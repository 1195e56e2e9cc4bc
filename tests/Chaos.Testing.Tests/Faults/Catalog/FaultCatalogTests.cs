using Chaos.Testing.Tests.Architecture;
using Chaos.Testing.Tests.Support;
using k8s;

namespace Chaos.Testing.Tests.Faults.Catalog;

/// <summary>What every catalog entry must state, checked for every fault; and that options cannot change a built experiment.</summary>
public sealed class FaultCatalogTests
{
    /// <summary>The operator's actions (../shared/SEED-FORMAT.md): each must map to exactly one fault.</summary>
    private static readonly string[] OperatorActions =
    [
        "pod-kill", "pod-delay", "node-drain", "node-taint", "node-cpu-stress", "node-disk-fill", "pod-cpu-stress", "pod-memory-stress",
        "pod-failure", "pod-network-loss", "pod-network-corruption", "pod-disk-fill", "pod-restart", "network-partition",
    ];

    [Fact]
    public void Catalog_FindsEveryFaultClass_WithAStableKebabCaseName()
    {
        FaultCatalog.All.Should().HaveCount(21);
        FaultCatalog.All.Select(f => f.Name).Should().OnlyHaveUniqueItems()
            .And.OnlyContain(n => System.Text.RegularExpressions.Regex.IsMatch(n, "^[a-z]+(-[a-z]+)*$"));
    }

    [Fact]
    public void EveryOperatorAction_MapsToOneFault_OfTheRightTargetKind()
    {
        FaultCatalog.All.Where(f => f.OperatorAction is not null).Select(f => f.OperatorAction).Should().BeEquivalentTo(OperatorActions);
        foreach (var action in OperatorActions)
        {
            var fault = FaultCatalog.FindByOperatorAction(action)!;
            fault.Target.Should().Be(action.StartsWith("node-", StringComparison.Ordinal) ? FaultTargetKind.Node : FaultTargetKind.Pod, action);
        }
    }

    [Theory]
    [MemberData(nameof(CatalogConformanceTests.Faults), MemberType = typeof(CatalogConformanceTests))]
    public void EveryFault_StatesItsPermissions_ItsRestore_AndHasADocsPageTheReadmeLinks(string name)
    {
        var fault = CatalogConformance.Fault(name);
        fault.Permissions.Should().NotBeEmpty();
        fault.LeavesState.Should().Be(fault.Mechanism != FaultMechanism.Delete, "every fault but a delete leaves state the janitor must be able to restore");
        File.Exists(Path.Combine(SourceTree.Root, fault.DocsPage)).Should().BeTrue($"{fault.DocsPage} documents {name}");
        File.ReadAllText(Path.Combine(SourceTree.Root, "README.md")).Should().Contain($"({fault.DocsPage})", "the README lists every fault's page");
    }

    [Fact]
    public async Task Options_ChangedAfterTheDslCall_DoNotChangeTheExperiment()
    {
        await using var cluster = await ShopCluster.StartAsync();
        PodFailureOptions? captured = null;
        var experiment = Experiment.On(CatalogConformance.Cart).Fail(o => captured = o).For(TimeSpan.FromMilliseconds(100));
        captured!.Image = "example/other:1";
        captured.Containers.Add("no-such-container");

        var result = await experiment.RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        result.Affected[0].Action.Should().Be($"containers cart now run {new PodFailureOptions().Image}");
    }

    [Fact]
    public async Task Janitor_AnEntryWhoseRecordHasTheWrongShape_IsReportedAndLeftAlone()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var pod = (await CatalogConformance.CartPodsAsync(cluster.Client)).Items[0];
        var entry = new LedgerEntry
        {
            Experiment = "0123456789ab",
            Fault = "pod-failure",
            Deadline = DateTimeOffset.UnixEpoch,
            Owner = Ledger.Owner,
            Recovery = new System.Text.Json.Nodes.JsonObject { ["pause"] = 5 },
            Key = await TestLedger.KeyAsync(cluster.Client),
        };
        Ledger.Add(pod.Metadata, entry);
        pod = await cluster.Client.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, "shop");
        cluster.Emulator.Audit.Clear();

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Recovered.Should().BeEmpty();
        sweep.Failed.Should().ContainSingle().Which.Should().Contain("a recovery record that is not what pod-failure writes").And.Contain("the entry stays");
        cluster.Emulator.Audit.Writes.Should().BeEmpty("a record that does not parse is refused before any write");
    }
}
