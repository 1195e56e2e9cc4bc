using System.Text.Json;
using k8s;
using k8s.Autorest;

namespace Chaos.Testing.Xunit.V3.Tests;

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

            // xUnit holds the report in the test's output and the result as a JSON attachment of the test.
            output.Output.Should().Contain($"Experiment {result.ExperimentId}: ").And.Contain("[Information] ");
            var attachments = TestContext.Current.Attachments;
            attachments.Should().NotBeNull().And.ContainKey(TestOutputHelperExtensions.AttachmentName(result));
            using var json = JsonDocument.Parse(attachments![TestOutputHelperExtensions.AttachmentName(result)].AsString());
            json.RootElement.GetProperty("experimentId").GetString().Should().Be(result.ExperimentId);
            json.RootElement.GetProperty("verdict").GetString().Should().Be("Passed");
            json.RootElement.GetProperty("affected").GetArrayLength().Should().BeGreaterThanOrEqualTo(1);
            attachments[TestOutputHelperExtensions.HtmlAttachmentName(result)].AsString().Should().StartWith("<!DOCTYPE html>").And.Contain("<p class=\"verdict\">Passed</p>");
        }

        await AssertNamespaceGoneAsync(name);
    }

    [ChaosTheory]
    [InlineData("kill")]
    [InlineData("restart")]
    public async Task EitherFault_OnOneCartPod_KeepsTheDeploymentAvailable(string fault)
    {
        await using var ns = await fixture.CreateNamespaceAsync($"theory-{fault}");
        ns.Name.Should().StartWith($"chaos-theory-{fault}-");
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

    [ChaosFact]
    public async Task Namespace_FromAHelperWithTheOutput_IsNamedAfterTheTest()
    {
        await using var ns = await CreateNamespaceInAHelperWithTheOutputAsync();

        ns.Name.Should().MatchRegex("^chaos-namespace-fromahelperwiththeoutput-isnam-[0-9a-f]{5}$");
    }

    [Fact]
    public async Task Namespace_OutputNotBoundToTheTest_SaysSoAndCreatesNothing()
    {
        var create = () => fixture.CreateNamespaceAsync(new UnboundOutput());

        (await create.Should().ThrowAsync<ArgumentException>()).WithMessage("*not bound to the running xUnit test*");
    }

    [Fact]
    public async Task Namespace_NoTestRunning_SaysSoAndCreatesNothing()
    {
        // Work that does not carry the test's context (xUnit's TestContext.Current flows with the execution context).
        Task<TestNamespace> creating;
        using (ExecutionContext.SuppressFlow())
        {
            creating = Task.Run(() => fixture.CreateNamespaceAsync());
        }

        var create = () => creating;

        (await create.Should().ThrowAsync<InvalidOperationException>()).WithMessage("No xUnit test is running here*");
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

    // Helpers a test might write: with [CallerMemberName] (the v2 adapter's parameterless call) the first was named
    // "chaos-createnamespaceinahelperasync-…"; v3 knows the running test.
    private Task<TestNamespace> CreateNamespaceInAHelperAsync() => fixture.CreateNamespaceAsync();

    private Task<TestNamespace> CreateNamespaceInAHelperWithTheOutputAsync() => fixture.CreateNamespaceAsync(output);

    private sealed class UnboundOutput : ITestOutputHelper
    {
        public string Output => string.Empty;

        public void Write(string message)
        {
        }

        public void Write(string format, params object[] args)
        {
        }

        public void WriteLine(string message)
        {
        }

        public void WriteLine(string format, params object[] args)
        {
        }
    }
}
