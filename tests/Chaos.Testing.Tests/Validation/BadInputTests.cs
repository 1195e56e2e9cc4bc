using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Validation;

/// <summary>One shop cluster for the whole class: validation must never reach it, which every test proves from its audit log.</summary>
public sealed class BadInputClusterFixture : IAsyncLifetime
{
    private ShopCluster? _cluster;

    public ShopCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster is not started");

    public async Task InitializeAsync() => _cluster = await ShopCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>
/// Every kind of bad input is refused by <see cref="ChaosExperiment.RunAsync"/> with a <see cref="ChaosConfigurationException"/>
/// that names the field, the bad value and the allowed range, before a single request reaches the cluster.
/// </summary>
public sealed class BadInputTests : IClassFixture<BadInputClusterFixture>
{
    private const string CartPods = "pods in shop with labels app=cart";
    private const string Deployment = "deployment shop/cart available";
    private const string HttpProbe = "HTTP GET http://cart.shop/health";
    private const string LabelRule = "must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    private static readonly Dictionary<string, BadInput> Inputs = new(StringComparer.Ordinal)
    {
        ["Percent(0)"] = new(
            () => Experiment.On(Cart).Percent(0).Kill(),
            "Selection.Percent: must be between 1 and 100, was 0.",
            "Selection.Percent", "was 0", "between 1 and 100"),
        ["Percent(101)"] = new(
            () => Experiment.On(Cart).Percent(101).Kill(),
            "Selection.Percent: must be between 1 and 100, was 101.",
            "Selection.Percent", "was 101", "between 1 and 100"),
        ["Percent(-5)"] = new(
            () => Experiment.On(Cart).Percent(-5).Kill(),
            "Selection.Percent: must be between 1 and 100, was -5.",
            "Selection.Percent", "was -5", "between 1 and 100"),
        ["Count(0)"] = new(
            () => Experiment.On(Cart).Count(0).Kill(),
            "Selection.Count: must be at least 1, was 0; use All() to pick every match.",
            "Selection.Count", "was 0", "at least 1"),
        ["Count(-1)"] = new(
            () => Experiment.On(Cart).Count(-1).Kill(),
            "Selection.Count: must be at least 1, was -1; use All() to pick every match.",
            "Selection.Count", "was -1", "at least 1"),
        ["For(0)"] = new(
            () => Experiment.On(Cart).Kill().For(TimeSpan.Zero),
            "Duration: For() needs more than 0 and at most 24 hours, was 00:00:00.",
            "Duration", "was 00:00:00", "more than 0 and at most 24 hours"),
        ["For(-1s)"] = new(
            () => Experiment.On(Cart).Kill().For(TimeSpan.FromSeconds(-1)),
            "Duration: For() needs more than 0 and at most 24 hours, was -00:00:01.",
            "Duration", "was -00:00:01", "more than 0 and at most 24 hours"),
        ["For(25h)"] = new(
            () => Experiment.On(Cart).Kill().For(TimeSpan.FromHours(25)),
            "Duration: For() needs more than 0 and at most 24 hours, was 1.01:00:00.",
            "Duration", "was 1.01:00:00", "more than 0 and at most 24 hours"),
        ["namespace \"\""] = new(
            () => Experiment.On(Pods.In(string.Empty)).Kill(),
            "Target.Namespaces: \"\" must not be empty.",
            "Target.Namespaces", "\"\"", "must not be empty"),
        ["namespace Bad_NS"] = new(
            () => Experiment.On(Pods.In("Bad_NS")).Kill(),
            "Target.Namespaces: \"Bad_NS\" must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit (e.g. 'shop').",
            "Target.Namespaces", "\"Bad_NS\"", "DNS-1123 label"),
        ["namespace of 64 characters"] = new(
            () => Experiment.On(Pods.In(new string('a', 64))).Kill(),
            $"Target.Namespaces: \"{new string('a', 64)}\" must be at most 63 characters.",
            "Target.Namespaces", new string('a', 64), "at most 63 characters"),
        ["no namespace"] = new(
            () => Experiment.On(Pods.In()).Kill(),
            "Target.Namespaces: at least one namespace is required; use Pods.In(\"my-namespace\").",
            "Target.Namespaces", "Pods.In(", "at least one namespace"),
        ["label key \"bad key\""] = new(
            () => Experiment.On(Pods.In("shop").WithLabel("bad key", "cart")).Kill(),
            $"Target.Labels: label key \"bad key\" {LabelRule} (e.g. 'app').",
            "Target.Labels", "\"bad key\"", "at most 63 characters"),
        ["label key \"/x\""] = new(
            () => Experiment.On(Pods.In("shop").WithLabel("/x", "cart")).Kill(),
            "Target.Labels: label key \"/x\" must have a DNS subdomain prefix before '/' (e.g. 'app.kubernetes.io/name').",
            "Target.Labels", "\"/x\"", "DNS subdomain prefix"),
        ["label key \"a/b/c\""] = new(
            () => Experiment.On(Pods.In("shop").WithLabel("a/b/c", "cart")).Kill(),
            "Target.Labels: label key \"a/b/c\" must have a DNS subdomain prefix before '/' (e.g. 'app.kubernetes.io/name').",
            "Target.Labels", "\"a/b/c\"", "DNS subdomain prefix"),
        ["label value \"bad value!\""] = new(
            () => Experiment.On(Pods.In("shop").WithLabel("app", "bad value!")).Kill(),
            $"Target.Labels: value \"bad value!\" of label \"app\" {LabelRule} (e.g. 'cart').",
            "Target.Labels", "\"bad value!\"", "at most 63 characters"),
        ["label value of 64 characters"] = new(
            () => Experiment.On(Pods.In("shop").WithLabel("app", new string('c', 64))).Kill(),
            $"Target.Labels: value \"{new string('c', 64)}\" of label \"app\" must be at most 63 characters.",
            "Target.Labels", new string('c', 64), "at most 63 characters"),
        ["WithLabelIn without values"] = new(
            () => Experiment.On(Pods.In("shop").WithLabelIn("app")).Kill(),
            "Target.Labels: 'in' for label \"app\" needs at least one value.",
            "Target.Labels", "'in'", "at least one value"),
        ["WithLabelNotIn without values"] = new(
            () => Experiment.On(Pods.In("shop").WithLabelNotIn("app")).Kill(),
            "Target.Labels: 'notin' for label \"app\" needs at least one value.",
            "Target.Labels", "'notin'", "at least one value"),
        ["Excluding with a bad key"] = new(
            () => Experiment.On(Cart.Excluding("bad key", "x")).Kill(),
            $"Target.Exclusions: label key \"bad key\" {LabelRule} (e.g. 'app').",
            "Target.Exclusions", "\"bad key\"", "at most 63 characters"),
        ["field selector \"nofield\""] = new(
            () => Experiment.On(Cart.WithField("nofield")).Kill(),
            "Target.Fields: \"nofield\" is not a field selector; use terms like \"spec.nodeName=node-1\" or \"status.phase!=Pending\".",
            "Target.Fields", "\"nofield\"", "spec.nodeName=node-1"),
        ["field selector \"=x\""] = new(
            () => Experiment.On(Cart.WithField("=x")).Kill(),
            "Target.Fields: \"=x\" is not a field selector; use terms like \"spec.nodeName=node-1\" or \"status.phase!=Pending\".",
            "Target.Fields", "\"=x\"", "spec.nodeName=node-1"),
        ["pod name \"Cart_1\""] = new(
            () => Experiment.On(Cart.Named("Cart_1")).Kill(),
            "Target.Names: \"Cart_1\" must be a DNS-1123 subdomain: lower case letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. 'cart-7d9f').",
            "Target.Names", "\"Cart_1\"", "DNS-1123 subdomain"),
        ["Kill GracePeriod -1s"] = new(
            () => Experiment.On(Cart).Kill(o => o.GracePeriod = TimeSpan.FromSeconds(-1)),
            "Kill.GracePeriod: must be between 0 and 1 hour, was -00:00:01.",
            "Kill.GracePeriod", "was -00:00:01", "between 0 and 1 hour"),
        ["Kill MaxParallelism 0"] = new(
            () => Experiment.On(Cart).Kill(o => o.MaxParallelism = 0),
            "Kill.MaxParallelism: must be between 1 and 256, was 0.",
            "Kill.MaxParallelism", "was 0", "between 1 and 256"),
        ["Kill MaxParallelism 300"] = new(
            () => Experiment.On(Cart).Kill(o => o.MaxParallelism = 300),
            "Kill.MaxParallelism: must be between 1 and 256, was 300.",
            "Kill.MaxParallelism", "was 300", "between 1 and 256"),
        ["Restart ReplacementTimeout 0"] = new(
            () => Experiment.On(Cart).Restart(o => o.ReplacementTimeout = TimeSpan.Zero),
            "Restart.ReplacementTimeout: must be more than 0 and at most 1 hour, was 00:00:00.",
            "Restart.ReplacementTimeout", "was 00:00:00", "more than 0 and at most 1 hour"),
        ["Restart GracePeriod -5s"] = new(
            () => Experiment.On(Cart).Restart(o => o.GracePeriod = TimeSpan.FromSeconds(-5)),
            "Restart.GracePeriod: must be between 0 and 1 hour (or null for the pod's own), was -00:00:05.",
            "Restart.GracePeriod", "was -00:00:05", "between 0 and 1 hour"),
        ["Restart MaxParallelism 0"] = new(
            () => Experiment.On(Cart).Restart(o => o.MaxParallelism = 0),
            "Restart.MaxParallelism: must be between 1 and 256, was 0.",
            "Restart.MaxParallelism", "was 0", "between 1 and 256"),
        ["Safety MaxPercentage 0"] = new(
            () => Experiment.On(Cart).Kill().WithSafety(s => s.MaxPercentage = 0),
            "Safety.MaxPercentage: must be between 1 and 100, was 0.",
            "Safety.MaxPercentage", "was 0", "between 1 and 100"),
        ["Safety MaxPercentage 101"] = new(
            () => Experiment.On(Cart).Kill().WithSafety(s => s.MaxPercentage = 101),
            "Safety.MaxPercentage: must be between 1 and 100, was 101.",
            "Safety.MaxPercentage", "was 101", "between 1 and 100"),
        ["Safety MinHealthyRemaining -1"] = new(
            () => Experiment.On(Cart).Kill().WithSafety(s => s.MinHealthyRemaining = -1),
            "Safety.MinHealthyRemaining: must be 0 or more, was -1.",
            "Safety.MinHealthyRemaining", "was -1", "0 or more"),
        ["RecoversWithin(0)"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "cart").RecoversWithin(TimeSpan.Zero)),
            $"Probe \"{Deployment}\".Deadline: must be more than 0 and at most 24 hours, was 00:00:00.",
            $"Probe \"{Deployment}\".Deadline", "was 00:00:00", "more than 0 and at most 24 hours"),
        ["BeforeAndAfter(25h)"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromHours(25))),
            $"Probe \"{Deployment}\".Deadline: must be more than 0 and at most 24 hours, was 1.01:00:00.",
            $"Probe \"{Deployment}\".Deadline", "was 1.01:00:00", "more than 0 and at most 24 hours"),
        ["During(1.5)"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "cart").During(1.5)),
            $"Probe \"{Deployment}\".Tolerance: must be between 0 and 1 (a share of the hold), was 1.5.",
            $"Probe \"{Deployment}\".Tolerance", "was 1.5", "between 0 and 1"),
        ["During(-0.1)"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "cart").During(-0.1)),
            $"Probe \"{Deployment}\".Tolerance: must be between 0 and 1 (a share of the hold), was -0.1.",
            $"Probe \"{Deployment}\".Tolerance", "was -0.1", "between 0 and 1"),
        ["During(NaN)"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "cart").During(double.NaN)),
            $"Probe \"{Deployment}\".Tolerance: must be between 0 and 1 (a share of the hold), was NaN.",
            $"Probe \"{Deployment}\".Tolerance", "was NaN", "between 0 and 1"),
        ["PodsReady atLeast 0"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.PodsReady(Cart, 0)),
            $"Probe \"at least 0 ready of {CartPods}\".AtLeast: must be at least 1, was 0.",
            ".AtLeast", "was 0", "at least 1"),
        ["PodsReady over two namespaces"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.PodsReady(Pods.In("shop", "web").WithLabel("app", "cart"), 1)),
            "Probe \"at least 1 ready of pods in shop, web with labels app=cart\".Target: a readiness probe watches one namespace, got 2; use one probe per namespace.",
            ".Target", "got 2", "one namespace"),
        ["PodsReadyPercent 0"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.PodsReadyPercent(Cart, 0)),
            $"Probe \"at least 0% ready of {CartPods}\".Percent: must be between 1 and 100, was 0.",
            ".Percent", "was 0", "between 1 and 100"),
        ["PodsReadyPercent 150"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.PodsReadyPercent(Cart, 150)),
            $"Probe \"at least 150% ready of {CartPods}\".Percent: must be between 1 and 100, was 150.",
            ".Percent", "was 150", "between 1 and 100"),
        ["DeploymentAvailable namespace Bad_NS"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("Bad_NS", "cart")),
            "Probe \"deployment Bad_NS/cart available\".Namespace: \"Bad_NS\" must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit (e.g. 'shop').",
            ".Namespace", "\"Bad_NS\"", "DNS-1123 label"),
        ["DeploymentAvailable name Cart_Api"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "Cart_Api")),
            "Probe \"deployment shop/Cart_Api available\".Name: \"Cart_Api\" must be a DNS-1123 subdomain: lower case letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. 'cart-7d9f').",
            ".Name", "\"Cart_Api\"", "DNS-1123 subdomain"),
        ["StatefulSetReady empty name"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.StatefulSetReady("shop", string.Empty)),
            "Probe \"statefulset shop/ ready\".Name: \"\" must not be empty.",
            ".Name", "\"\"", "must not be empty"),
        ["Http relative URL"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Http("health")),
            "Probe \"HTTP GET health\".Url: must be an absolute http or https URL, was \"health\".",
            ".Url", "\"health\"", "absolute http or https URL"),
        ["Http rooted path"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Http("/health")),
            "Probe \"HTTP GET /health\".Url: must be an absolute http or https URL, was \"/health\".",
            ".Url", "\"/health\"", "absolute http or https URL"),
        ["Http ftp URL"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Http("ftp://x")),
            "Probe \"HTTP GET ftp://x\".Url: must be an absolute http or https URL, was \"ftp://x\".",
            ".Url", "\"ftp://x\"", "absolute http or https URL"),
        ["Http MinSuccessRate 2"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Http("http://cart.shop/health", o => o.MinSuccessRate = 2)),
            $"Probe \"{HttpProbe}\".MinSuccessRate: must be between 0 and 1, was 2.",
            ".MinSuccessRate", "was 2", "between 0 and 1"),
        ["Http Interval 0"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Http("http://cart.shop/health", o => o.Interval = TimeSpan.Zero)),
            $"Probe \"{HttpProbe}\".Interval: must be more than 0, was 00:00:00.",
            ".Interval", "was 00:00:00", "more than 0"),
        ["Http Window -1s"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Http("http://cart.shop/health", o => o.Window = TimeSpan.FromSeconds(-1))),
            $"Probe \"{HttpProbe}\".Window: must be more than 0, was -00:00:01.",
            ".Window", "was -00:00:01", "more than 0"),
        ["Http Timeout 0"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Http("http://cart.shop/health", o => o.Timeout = TimeSpan.Zero)),
            $"Probe \"{HttpProbe}\".Timeout: must be more than 0, was 00:00:00.",
            ".Timeout", "was 00:00:00", "more than 0"),
        ["Http MaxLatency 0"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Http("http://cart.shop/health", o => o.MaxLatency = TimeSpan.Zero)),
            $"Probe \"{HttpProbe}\".MaxLatency: must be more than 0, was 00:00:00.",
            ".MaxLatency", "was 00:00:00", "more than 0"),
        ["Custom probe with a null delegate"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Custom("orders flow", null!)),
            "Probe \"orders flow\".Check: the delegate must not be null.",
            "\"orders flow\".Check", "null", "must not be null"),
        ["Custom probe with an empty name"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Custom(string.Empty, _ => Task.FromResult(true))),
            "Probe.Name: a custom probe needs a name for results and failure messages.",
            "Probe.Name", "needs a name", "a name"),
        ["Custom probe with interval 0"] = new(
            () => Experiment.On(Cart).Kill().Verify(SteadyState.Custom("orders flow", _ => Task.FromResult(true), TimeSpan.Zero)),
            "Probe \"orders flow\".Interval: must be more than 0, was 00:00:00.",
            "\"orders flow\".Interval", "was 00:00:00", "more than 0"),
        ["Verify(null probe)"] = new(
            () => Experiment.On(Cart).Kill().Verify((SteadyStateProbe)null!),
            "Probes: Verify() was given a null probe.",
            "Probes", "null probe", "Verify()"),
    };

    private readonly BadInputClusterFixture _fixture;

    public BadInputTests(BadInputClusterFixture fixture)
    {
        _fixture = fixture;
        fixture.Cluster.Emulator.Audit.Clear();
    }

    public static TheoryData<string> BadInputs => new(Inputs.Keys);

    [Fact]
    public void Validate_TheBaseExperiments_ReportNoProblem()
    {
        Experiment.On(Cart).Kill().Validate().Should().BeEmpty();
        Experiment.On(Cart).Restart().For(TimeSpan.FromHours(24)).Validate().Should().BeEmpty();
        Experiment.On(Cart).Percent(100).Kill(o => o.MaxParallelism = 256)
            .Verify(SteadyState.DeploymentAvailable("shop", "cart").During(1).RecoversWithin(TimeSpan.FromHours(24)))
            .WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0))
            .Validate().Should().BeEmpty();
    }

    [Fact]
    public void BadInputs_AreAtLeast25DistinctCases()
    {
        Inputs.Should().HaveCountGreaterThanOrEqualTo(25);
        Inputs.Values.Select(i => i.Error).Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task RunAsync_BadInput_ThrowsNamingFieldValueAndRangeBeforeAnyRequest(string badInput)
    {
        var input = Inputs[badInput];
        var experiment = input.Build();

        var error = await RunExpectingConfigurationErrorAsync(experiment);

        error.Errors.Should().ContainSingle().Which.Should().Be(input.Error);
        error.Message.Should().Be("The chaos experiment is invalid:" + Environment.NewLine + "- " + input.Error);
        error.Message.Should().Contain(input.Field, "the message names the field")
            .And.Contain(input.Value, "the message names the bad value")
            .And.Contain(input.Range, "the message names the allowed range");
        experiment.Validate().Should().Equal(error.Errors, "Validate() reports what RunAsync throws");
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task RunAsync_BadInputInADryRun_StillThrowsBeforeAnyRequest(string badInput)
    {
        var error = await RunExpectingConfigurationErrorAsync(Inputs[badInput].Build().DryRun().WithoutEvents());

        error.Errors.Should().Equal(Inputs[badInput].Error);
    }

    [Fact]
    public async Task RunAsync_PercentAbove100_MessageIsExact()
    {
        var error = await RunExpectingConfigurationErrorAsync(Experiment.On(Cart).Percent(101).Kill());

        error.Message.Should().Be("The chaos experiment is invalid:" + Environment.NewLine + "- Selection.Percent: must be between 1 and 100, was 101.");
    }

    [Fact]
    public async Task RunAsync_DurationOf25Hours_MessageIsExact()
    {
        var error = await RunExpectingConfigurationErrorAsync(Experiment.On(Cart).Kill().For(TimeSpan.FromHours(25)));

        error.Message.Should().Be("The chaos experiment is invalid:" + Environment.NewLine + "- Duration: For() needs more than 0 and at most 24 hours, was 1.01:00:00.");
    }

    [Fact]
    public async Task RunAsync_UppercaseNamespace_MessageIsExact()
    {
        var error = await RunExpectingConfigurationErrorAsync(Experiment.On(Pods.In("Bad_NS")).Kill());

        error.Message.Should().Be(
            "The chaos experiment is invalid:" + Environment.NewLine
            + "- Target.Namespaces: \"Bad_NS\" must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit (e.g. 'shop').");
    }

    [Fact]
    public async Task RunAsync_ZeroRecoveryDeadline_MessageIsExact()
    {
        var error = await RunExpectingConfigurationErrorAsync(
            Experiment.On(Cart).Kill().Verify(SteadyState.DeploymentAvailable("shop", "cart").RecoversWithin(TimeSpan.Zero)));

        error.Message.Should().Be(
            "The chaos experiment is invalid:" + Environment.NewLine
            + "- Probe \"deployment shop/cart available\".Deadline: must be more than 0 and at most 24 hours, was 00:00:00.");
    }

    [Fact]
    public async Task RunAsync_SafetyMaxPercentageZero_MessageIsExact()
    {
        var error = await RunExpectingConfigurationErrorAsync(Experiment.On(Cart).Kill().WithSafety(s => s.MaxPercentage = 0));

        error.Message.Should().Be("The chaos experiment is invalid:" + Environment.NewLine + "- Safety.MaxPercentage: must be between 1 and 100, was 0.");
    }

    [Fact]
    public async Task RunAsync_KillMaxParallelism300_MessageIsExact()
    {
        var error = await RunExpectingConfigurationErrorAsync(Experiment.On(Cart).Kill(o => o.MaxParallelism = 300));

        error.Message.Should().Be("The chaos experiment is invalid:" + Environment.NewLine + "- Kill.MaxParallelism: must be between 1 and 256, was 300.");
    }

    [Fact]
    public async Task RunAsync_SeveralProblems_ReportsEveryOneInOneException()
    {
        var experiment = Experiment.On(Pods.In("Bad_NS").WithLabel("bad key", "cart").WithField("nofield"))
            .Percent(150)
            .Kill(o => (o.GracePeriod, o.MaxParallelism) = (TimeSpan.FromSeconds(-1), 0))
            .For(TimeSpan.FromHours(25))
            .WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (0, -1))
            .Verify(
                SteadyState.DeploymentAvailable("shop", "cart").RecoversWithin(TimeSpan.Zero).During(2),
                SteadyState.Http("ftp://x", o => o.MinSuccessRate = 2),
                null!);

        var error = await RunExpectingConfigurationErrorAsync(experiment);

        string[] expected =
        [
            "Target.Namespaces: \"Bad_NS\" must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit (e.g. 'shop').",
            $"Target.Labels: label key \"bad key\" {LabelRule} (e.g. 'app').",
            "Target.Fields: \"nofield\" is not a field selector; use terms like \"spec.nodeName=node-1\" or \"status.phase!=Pending\".",
            "Selection.Percent: must be between 1 and 100, was 150.",
            "Kill.GracePeriod: must be between 0 and 1 hour, was -00:00:01.",
            "Kill.MaxParallelism: must be between 1 and 256, was 0.",
            "Duration: For() needs more than 0 and at most 24 hours, was 1.01:00:00.",
            "Safety.MaxPercentage: must be between 1 and 100, was 0.",
            "Safety.MinHealthyRemaining: must be 0 or more, was -1.",
            $"Probe \"{Deployment}\".Deadline: must be more than 0 and at most 24 hours, was 00:00:00.",
            $"Probe \"{Deployment}\".Tolerance: must be between 0 and 1 (a share of the hold), was 2.",
            "Probe \"HTTP GET ftp://x\".Url: must be an absolute http or https URL, was \"ftp://x\".",
            "Probe \"HTTP GET ftp://x\".MinSuccessRate: must be between 0 and 1, was 2.",
            "Probes: Verify() was given a null probe.",
        ];
        error.Errors.Should().Equal(expected);
        error.Message.Should().Be("The chaos experiment is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, expected.Select(e => "- " + e)));
        experiment.Validate().Should().Equal(expected);
    }

    [Fact]
    public async Task RunAsync_ProbeTargetWithBadNamespaceAndLabel_ReportsBothProblems()
    {
        var probe = SteadyState.PodsReady(Pods.In("Shop").WithLabel("app", "bad value!"), 1);

        var error = await RunExpectingConfigurationErrorAsync(Experiment.On(Cart).Kill().Verify(probe));

        error.Errors.Should().Equal(
            "Target.Namespaces: \"Shop\" must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit (e.g. 'shop').",
            $"Target.Labels: value \"bad value!\" of label \"app\" {LabelRule} (e.g. 'cart').");
    }

    [Fact]
    public async Task RunAsync_FieldSelectorWithoutFieldBeforeNotEquals_ThrowsBeforeAnyRequest()
    {
        var error = await RunExpectingConfigurationErrorAsync(Experiment.On(Cart.WithField("!=x")).Kill());

        error.Errors.Should().ContainSingle().Which.Should().StartWith("Target.Fields: \"!=x\" is not a field selector");
    }

    [Fact]
    public async Task RunAsync_VerifyWithNullArray_ThrowsBeforeAnyRequest()
    {
        var error = await RunExpectingConfigurationErrorAsync(Experiment.On(Cart).Kill().Verify(null!));

        error.Errors.Should().ContainSingle().Which.Should().Be("Probes: Verify() was given a null probe.");
    }

    private async Task<ChaosConfigurationException> RunExpectingConfigurationErrorAsync(ChaosExperiment experiment)
    {
        var audit = _fixture.Cluster.Emulator.Audit;
        audit.Clear();

        var run = () => experiment.RunAsync(_fixture.Cluster.Client);

        var thrown = await run.Should().ThrowExactlyAsync<ChaosConfigurationException>();
        audit.Writes.Should().BeEmpty("an invalid experiment must not change the cluster");
        audit.Entries.Should().BeEmpty("validation happens before any request, even a read");
        return thrown.Which;
    }

    private sealed record BadInput(Func<ChaosExperiment> Build, string Error, string Field, string Value, string Range);
}
