using k8s;
using k8s.Autorest;

namespace Chaos.Testing.Xunit.Tests;

[Collection(ChaosCollection.Name)]
public sealed class ChaosFixtureTests(ChaosClusterFixture fixture, ITestOutputHelper output)
{
    [ChaosFact]
    public async Task Kill_OneCartPod_DeploymentRecovers_AndTheNamespaceIsDeletedAfter()
    {
        string name;
        await using (var ns = await fixture.CreateNamespaceAsync())
        {
            name = ns.Name;
            name.Should().StartWith("chaos-kill-onecartpod-deploymentrecovers-");
            await fixture.Cluster.ApplyAsync(CartChaos.Yaml, ns.Name);
            await fixture.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(30));

            var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
                .Kill()
                .For(TimeSpan.FromMilliseconds(200))
                .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
                .WithLogger(output.ToLogger())
                .RunAsync(fixture.Client);

            output.WriteChaosResult(result);
            result.Verdict.Should().Be(ExperimentVerdict.Passed);
            result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        }

        await AssertNamespaceGoneAsync(name);
    }

    [ChaosTheory]
    [InlineData("kill")]
    [InlineData("restart")]
    public async Task EitherFault_OnOneCartPod_KeepsTheDeploymentAvailable(string fault)
    {
        await using var ns = await fixture.CreateNamespaceAsync($"theory-{fault}");
        await fixture.Cluster.ApplyAsync(CartChaos.Yaml, ns.Name);
        await fixture.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(30));
        var pods = Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"));

        var result = await (fault == "kill" ? pods.Kill() : pods.Restart())
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .RunAsync(fixture.Client);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState();
    }

    [ChaosFact]
    public async Task SteadyStateThatCannotHold_FailsWithAMessageNamingProbeObservationAndSeed()
    {
        await using var ns = await fixture.CreateNamespaceAsync();
        await fixture.Cluster.ApplyAsync(CartChaos.Yaml, ns.Name);
        await fixture.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(30));
        var cart = Pods.In(ns.Name).WithLabel("app", "cart");

        var result = await Experiment.On(cart).WithSeed(42).Kill()
            .Verify(SteadyState.PodsReady(cart, atLeast: 4).Before())   // 3 replicas: broken before injection
            .WithLogger(output.ToLogger())
            .RunAsync(fixture.Client);

        output.WriteChaosResult(result);
        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.Affected.Should().BeEmpty();
        var failing = () => result.Should().HaveHeldSteadyState();
        failing.Should().Throw<Exception>().WithMessage(
            $"Expected experiment {result.ExperimentId} (kill one of pods in {ns.Name} with labels app=cart, seed 42) to have held its steady state, "
            + $"but it was Aborted: the steady state did not hold before injection: probe \"at least 4 ready of pods in {ns.Name} with labels app=cart\" "
            + "observed 3 of 3 pods ready (need 4); nothing was injected (last broken sample at ??:??:??.???).");
    }

    [ChaosFact]
    public async Task Namespace_FromAHelper_IsNamedAfterTheTest()
    {
        await using var ns = await CreateNamespaceInAHelperAsync();

        ns.Name.Should().MatchRegex("^chaos-namespace-fromahelper-isnamedafterthetes-[0-9a-f]{5}$");
    }

    [Fact]
    public async Task Namespace_OutputNotBoundToATest_SaysSoAndCreatesNothing()
    {
        var create = () => fixture.CreateNamespaceAsync(new UnboundOutput());

        (await create.Should().ThrowAsync<ArgumentException>()).WithMessage("*not bound to a running xUnit test*");
    }

    [Fact]
    public void Fixture_AcquiredTheDefaultEmulator()
    {
        fixture.SkipReason.Should().BeNull();
        fixture.Cluster.Kind.Should().Be(ChaosClusters.Emulator);
        output.WriteLine(fixture.Cluster.Description);
    }

    private async Task AssertNamespaceGoneAsync(string name)
    {
        // Deletion is accepted at dispose; a real cluster finalizes it a little later.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                var ns = await fixture.Client.CoreV1.ReadNamespaceAsync(name, cancellationToken: timeout.Token);
                if (ns.Status?.Phase == "Terminating" || ns.Metadata.DeletionTimestamp is not null)
                {
                    return;
                }
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    // A helper a test might write: with [CallerMemberName] its namespace was named "chaos-createnamespaceinahelperasync-…".
    private Task<TestNamespace> CreateNamespaceInAHelperAsync() => fixture.CreateNamespaceAsync(output);

    private sealed class UnboundOutput : ITestOutputHelper
    {
        public void WriteLine(string message)
        {
        }

        public void WriteLine(string format, params object[] args)
        {
        }
    }
}
