using System.Diagnostics;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Chaos.Testing.Tests.Telemetry;

/// <summary>
/// The spans and measurements an OpenTelemetry SDK collects from experiments, read through its in-memory exporters. Other
/// tests run experiments in this process at the same time: spans are told apart by this test's trace, measurements by
/// this test's namespaces (named for it alone).
/// </summary>
public sealed class TelemetryTests
{
    private static readonly ActivitySource TestSource = new("Chaos.Testing.Tests.Telemetry");

    [Fact]
    public async Task Runs_PassingFailingAndRefused_ExportTheirSpansAndTheOperatorsMeasurements()
    {
        var ns = $"tel-{Guid.NewGuid():N}"[..16];
        var prod = ns + "-prod";
        await using var cluster = await ShopCluster.StartAsync(extraYaml: ShopCluster.Shop.Replace("shop", ns, StringComparison.Ordinal)
            + $"\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {prod}\n  labels:\n    environment: production\n");
        await cluster.WaitForReadyPodsAsync(ns, "app=cart", 3);
        var spans = new LockedCollection<Activity>();
        var metrics = new LockedCollection<MetricSnapshot>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(ChaosTelemetry.ActivitySourceName, TestSource.Name).AddInMemoryExporter(spans).Build();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter(ChaosTelemetry.MeterName).AddInMemoryExporter(metrics).Build();
        var cart = Pods.In(ns).WithLabel("app", "cart");

        // Passing: kill one pod (seed 7).
        ChaosResult passed;
        ActivityTraceId passTrace;
        using (var root = TestSource.StartActivity("passing test"))
        {
            passTrace = root!.TraceId;
            passed = await Experiment.On(cart).WithSeed(7).Kill().For(TimeSpan.FromMilliseconds(200)).RunAsync(cluster.Client);
        }

        // Failing: a probe that breaks under the fault; the Kubernetes Events cannot be written (an error in inject and in recover).
        var injected = 0;
        long activeDuringRun = -1;
        ChaosResult failed;
        ActivityTraceId failTrace;
        using (cluster.Emulator.ApiFaults.Add(new ApiFault { StatusCode = 400, Verbs = ["create"], Resource = "events", Namespace = ns }))
        using (var root = TestSource.StartActivity("failing test"))
        {
            failTrace = root!.TraceId;
            var checkout = SteadyState.Custom("checkout", _ => Task.FromResult(Volatile.Read(ref injected) == 0), TimeSpan.FromMilliseconds(20)).During();
            failed = await Experiment.On(cart).WithSeed(7)
                .Inject((_, _) =>
                {
                    Volatile.Write(ref injected, 1);
                    metering.ForceFlush();
                    activeDuringRun = Sum(metrics, "chaosexperiment.active", ("namespace", ns));
                    return Task.CompletedTask;
                }, (_, _) => Task.CompletedTask, "mark")
                .For(TimeSpan.FromMilliseconds(500))
                .Verify(checkout)
                .RunAsync(cluster.Client);
        }

        // Refused: a production namespace.
        ActivityTraceId refusedTrace;
        using (var root = TestSource.StartActivity("refused test"))
        {
            refusedTrace = root!.TraceId;
            var refuse = () => Experiment.On(Pods.In(prod).WithLabel("app", "cart")).Kill().RunAsync(cluster.Client);
            await refuse.Should().ThrowAsync<ChaosRefusedException>();
        }

        passed.Verdict.Should().Be(ExperimentVerdict.Passed, passed.ToReport());
        failed.Verdict.Should().Be(ExperimentVerdict.Failed, failed.ToReport());

        // Spans: one experiment span under the test's, each phase under it, with the run's attributes.
        var pass = Trace(spans, passTrace);
        var experiment = pass.Should().ContainSingle(s => s.OperationName == "chaos.experiment").Subject;
        experiment.ParentSpanId.Should().Be(pass.Single(s => s.OperationName == "passing test").SpanId);
        pass.Where(s => s.ParentSpanId == experiment.SpanId).Select(s => s.OperationName)
            .Should().Equal(["chaos.plan", "chaos.inject", "chaos.hold", "chaos.recover"], "a span per phase, children of the experiment's, in order");
        experiment.GetTagItem("chaos.experiment.id").Should().Be(passed.ExperimentId);
        experiment.GetTagItem("chaos.fault").Should().Be("pod-kill");
        experiment.GetTagItem("chaos.action").Should().Be("pod-kill");
        experiment.GetTagItem("chaos.seed").Should().Be(7);
        experiment.GetTagItem("k8s.namespace.name").Should().Be(ns);
        experiment.GetTagItem("chaos.target.kind").Should().Be("Pod");
        experiment.GetTagItem("chaos.targets").Should().BeEquivalentTo(new[] { $"{ns}/{passed.Affected.Single().Name}" });
        experiment.GetTagItem("chaos.verdict").Should().Be("passed");
        experiment.Status.Should().Be(ActivityStatusCode.Unset);
        pass.Should().OnlyContain(s => s.Status != ActivityStatusCode.Error);

        var fail = Trace(spans, failTrace);
        var failedSpan = fail.Single(s => s.OperationName == "chaos.experiment");
        failedSpan.GetTagItem("chaos.fault").Should().Be("custom");
        failedSpan.GetTagItem("chaos.verdict").Should().Be("failed");
        failedSpan.Status.Should().Be(ActivityStatusCode.Error);
        failedSpan.StatusDescription.Should().Be(failed.FailureReason);
        failedSpan.Events.Select(e => e.Name).Should().Contain("chaos.probe.broken").And.Contain("chaos.error");
        fail.Where(s => s.ParentSpanId == failedSpan.SpanId).Select(s => s.OperationName).Should().Equal("chaos.plan", "chaos.inject", "chaos.hold", "chaos.recover");

        var refused = Trace(spans, refusedTrace);
        var refusedSpan = refused.Single(s => s.OperationName == "chaos.experiment");
        refusedSpan.GetTagItem("chaos.verdict").Should().Be("refused");
        refusedSpan.Status.Should().Be(ActivityStatusCode.Error);
        refusedSpan.StatusDescription.Should().Contain("looks like production");
        var plan = refused.Where(s => s.ParentSpanId == refusedSpan.SpanId).Should().ContainSingle("nothing runs after a refused plan").Subject;
        plan.OperationName.Should().Be("chaos.plan");
        plan.Status.Should().Be(ActivityStatusCode.Error);

        // Measurements, under the operator's names and labels.
        metrics.Clear();
        metering.ForceFlush();
        Sum(metrics, "chaosexperiment.executions", ("action", "pod-kill"), ("namespace", ns), ("status", "passed")).Should().Be(1);
        Sum(metrics, "chaosexperiment.executions", ("action", "custom"), ("namespace", ns), ("status", "failed")).Should().Be(1);
        Sum(metrics, "chaosexperiment.executions", ("action", "pod-kill"), ("namespace", prod), ("status", "refused")).Should().Be(1);
        HistogramCount(metrics, "chaosexperiment.duration", ("action", "pod-kill"), ("namespace", ns)).Should().Be(1);
        HistogramCount(metrics, "chaosexperiment.duration", ("action", "custom"), ("namespace", ns)).Should().Be(1);
        Sum(metrics, "chaosexperiment.resources_affected", ("experiment", passed.ExperimentId)).Should().Be(1);
        Sum(metrics, "chaosexperiment.resources_affected", ("experiment", failed.ExperimentId)).Should().Be(1);
        Sum(metrics, "chaosexperiment.errors", ("action", "custom"), ("namespace", ns), ("error_type", "inject")).Should().Be(1, "the ChaosInjected event failed");
        Sum(metrics, "chaosexperiment.errors", ("action", "custom"), ("namespace", ns), ("error_type", "recover")).Should().Be(1, "the ChaosRecovered event failed");
        Sum(metrics, "chaosexperiment.errors", ("action", "pod-kill"), ("namespace", ns)).Should().Be(0, "the passing run had no error");
        activeDuringRun.Should().Be(1, "the failing run was active while it injected");
        Sum(metrics, "chaosexperiment.active", ("namespace", ns)).Should().Be(0, "every run has ended");
        Sum(metrics, "chaosexperiment.safety.production_blocks", ("namespace", prod)).Should().Be(1);
        Sum(metrics, "chaosexperiment.safety.production_blocks", ("namespace", ns)).Should().Be(0);
    }

    private static List<Activity> Trace(LockedCollection<Activity> spans, ActivityTraceId trace) =>
        spans.Snapshot().Where(s => s.TraceId == trace).OrderBy(s => s.StartTimeUtc).ToList();

    private static IEnumerable<MetricPoint> Points(LockedCollection<MetricSnapshot> metrics, string name, (string Key, object Value)[] labels)
    {
        // Each flush adds a cumulative snapshot: the last one of the instrument holds the totals.
        var last = metrics.Snapshot().LastOrDefault(m => m.Name == name);
        return last is null ? [] : last.MetricPoints.Where(p => labels.All(l => HasTag(p, l.Key, l.Value)));
    }

    private static bool HasTag(MetricPoint point, string key, object value)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return Equals(tag.Value, value);
            }
        }

        return false;
    }

    private static long Sum(LockedCollection<MetricSnapshot> metrics, string name, params (string Key, object Value)[] labels) =>
        Points(metrics, name, labels).Sum(p => p.GetSumLong());

    private static long HistogramCount(LockedCollection<MetricSnapshot> metrics, string name, params (string Key, object Value)[] labels) =>
        Points(metrics, name, labels).Sum(p => p.GetHistogramCount());
}
