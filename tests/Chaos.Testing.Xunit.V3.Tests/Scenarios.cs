namespace Chaos.Testing.Xunit.V3.Tests.Scenarios;

// Tests as users write them. RunnerTests runs this namespace in a child run of this test program and reads the
// results xUnit reports; in the ordinary run the K3s ones are reported skipped with the reason (this project does not
// reference Chaos.Testing.K3s), and fail with it when CHAOS_STRICT=1.

/// <summary>Chaos tests outside any chaos collection: the attribute alone decides.</summary>
public sealed class K3sScenarios
{
    [K3sChaosFact]
    public void FactNeedingK3s() => throw new InvalidOperationException("a chaos test whose cluster is unavailable ran");

    [ChaosTheory(Kind = ChaosClusters.K3s)]
    [InlineData(1)]
    [InlineData(2)]
    public void TheoryNeedingK3s(int round) => throw new InvalidOperationException($"a chaos theory whose cluster is unavailable ran (round {round})");
}

/// <summary>A collection whose fixture asks for K3s.</summary>
[CollectionDefinition(Name)]
public sealed class K3sScenarioGroup : ICollectionFixture<K3sFixture>
{
    public const string Name = "K3s scenarios";
}

/// <summary>A plain [Fact] that uses an unavailable cluster: the fixture's dynamic skip reports it skipped with the reason.</summary>
[Collection(K3sScenarioGroup.Name)]
public sealed class K3sFixtureScenarios(K3sFixture fixture)
{
    [Fact]
    public async Task FactUsingAnUnavailableCluster()
    {
        await using var ns = await fixture.CreateNamespaceAsync();
        throw new InvalidOperationException($"a namespace was created on an unavailable cluster: {ns.Name}");
    }
}

/// <summary>A passing chaos test on the emulator: its report goes to the output, its result to an attachment.</summary>
[Collection(ChaosCollection.Name)]
public sealed class EmulatorScenarios(ChaosClusterFixture fixture, ITestOutputHelper output)
{
    [ChaosFact]
    public async Task KillWritesTheResult()
    {
        await using var ns = await fixture.CreateNamespaceAsync();
        await fixture.Cluster.ApplyAsync(CartChaos.Yaml, ns.Name);
        await fixture.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(30));

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart")).Kill()
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(fixture.Client);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState();
    }
}
