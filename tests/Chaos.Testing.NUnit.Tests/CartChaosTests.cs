using System.Net;
using System.Text.Json;
using Chaos.Testing.NUnit;
using k8s;
using k8s.Autorest;
using NUnit.Framework.Internal;

namespace Chaos.Testing.NUnit.Tests;

/// <summary>The adapter used as a user would: per-test namespaces, apply, kill, report, assert.</summary>
public sealed class CartChaosTests : ChaosTestBase
{
    internal const string CartYaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: cart
          template:
            metadata:
              labels:
                app: cart
            spec:
              containers:
                - name: cart
                  image: example/cart:1.0
        """;

    private static string? _firstNamespace;

    [ChaosTest, Order(1)]
    public async Task Killing_one_cart_pod_keeps_the_deployment_available()
    {
        _firstNamespace = Namespace;
        Namespace.Should().StartWith("chaos-killing-one-cart-pod-keeps-the-deploymen-");
        (await Client.CoreV1.ReadNamespaceAsync(Namespace)).Metadata.Name.Should().Be(Namespace);

        var applied = await ApplyAsync(CartYaml);
        applied.Should().Equal($"Deployment/{Namespace}/cart");

        var result = await Experiment.On(Pods.In(Namespace).WithLabel("app", "cart")).Kill()
            .For(TimeSpan.FromMilliseconds(200))
            .Verify(SteadyState.DeploymentAvailable(Namespace, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(Logger)
            .RunAsync(Client);
        var path = Report(result);

        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        result.Verdict.Should().Be(ExperimentVerdict.Passed);

        // The report and the log went to the test's output; the JSON is a file attached to the test.
        var output = TestExecutionContext.CurrentContext.CurrentResult.Output;
        output.Should().Contain($"Experiment {result.ExperimentId}: kill one of pods in {Namespace} with labels app=cart")
            .And.Contain("Verdict: Passed")
            .And.Contain("[Information] inject: kill 1 pod(s)");
        Path.GetDirectoryName(path).Should().Be(TestContext.CurrentContext.WorkDirectory);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        json.RootElement.GetProperty("experimentId").GetString().Should().Be(result.ExperimentId);
        TestExecutionContext.CurrentContext.CurrentResult.TestAttachments.Should().ContainSingle(a => a.FilePath == path && a.Description == "chaos result");
    }

    [Test, Order(2)]   // a plain [Test] works too: SetUp skips it when the cluster is unavailable
    public async Task The_previous_tests_namespace_was_deleted_after_it()
    {
        _firstNamespace.Should().NotBeNull("the first test ran before this one");
        Namespace.Should().NotBe(_firstNamespace);
        try
        {
            var ns = await Client.CoreV1.ReadNamespaceAsync(_firstNamespace);
            (ns.Metadata.DeletionTimestamp is not null || ns.Status?.Phase == "Terminating").Should().BeTrue($"{_firstNamespace} should be deleted or terminating");
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Gone: deleted.
        }
    }

    [ChaosTest, Order(3)]
    public async Task A_broken_steady_state_names_the_probe_the_observed_state_and_the_seed()
    {
        await ApplyAsync(CartYaml);
        var cart = Pods.In(Namespace).WithLabel("app", "cart");

        var result = await Experiment.On(cart).WithSeed(42).Kill()
            .Verify(SteadyState.PodsReady(cart, atLeast: 4).Before())   // only 3 replicas: broken before injection
            .WithLogger(Logger)
            .RunAsync(Client);
        Report(result);

        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.Affected.Should().BeEmpty();
        var expected = $"Expected experiment {result.ExperimentId} (kill one of pods in {Namespace} with labels app=cart, seed 42) to have held its steady state, "
            + $"but it was Aborted: the steady state did not hold before injection: probe \"at least 4 ready of pods in {Namespace} with labels app=cart\" "
            + "observed 3 of 3 pods ready (need 4); nothing was injected (last broken sample at *).";
        result.Invoking(r => r.Should().HaveHeldSteadyState()).Should().Throw<Exception>().WithMessage(expected);
        Assert.That(() => result.EnsureSteadyState(), Throws.TypeOf<ChaosExperimentFailedException>().With.Message.Match(
            @"^Expected experiment \w+ \(kill one of pods in \S+ with labels app=cart, seed 42\) .*probe ""at least 4 ready of .*"" observed 3 of 3 pods ready \(need 4\).*\(last broken sample at \d\d:\d\d:\d\d\.\d{3}\)\.$"));
    }

    [ChaosTest(Kind = "k3s")]
    public void Needs_a_k3s_cluster() => Assert.Fail("must be skipped: Chaos.Testing.K3s is not referenced");
}
