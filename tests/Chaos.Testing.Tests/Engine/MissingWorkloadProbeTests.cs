using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Engine;

/// <summary>A probe on a workload that does not exist (a typo) says so, not the API server's raw 404 body.</summary>
public sealed class MissingWorkloadProbeTests
{
    [Fact]
    public async Task Run_ProbeOnAMisspelledDeployment_SaysItIsNotFound()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var run = () => Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill()
            .Verify(SteadyState.DeploymentAvailable("shop", "crat"))
            .RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosRefusedException>()).WithMessage(
            "The steady-state probe \"deployment shop/crat available\" could not start: deployment shop/crat not found. "
            + "Check that what it observes exists. Nothing was injected.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }
}
