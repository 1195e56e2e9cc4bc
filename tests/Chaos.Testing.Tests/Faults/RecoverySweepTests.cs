using System.Diagnostics;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// The recovery guarantee under stress. Cancellation sweep: 50 runs per stateful fault, each cancelled at a seeded
/// random moment of its lifecycle; API fault sweep: 20 runs per fault while every write has a 20% chance of
/// 500/503/429/409/latency. Every run must end (never hang) and leave 0 residue: no ledger mark, nodes identical, no
/// pod on a pause image, no custom leftover. The table of each sweep is written to the test output.
/// </summary>
public sealed class RecoverySweepTests(ITestOutputHelper output)
{
    private const int CancellationRuns = 50;
    private const int ApiFaultRuns = 20;
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    public static TheoryData<string> Faults => new() { "pod-failure", "node-cordon", "node-drain", "node-taint", "custom" };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task CancelledAtARandomPoint_LeavesNoResidue(string fault)
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
                var result = await Build(fault, cluster.Client).WithSeed(run)
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

        output.WriteLine($"| {fault} | {CancellationRuns} runs | residue in {residueRuns} | {watch.Elapsed.TotalSeconds:F1} s | {string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}"))} |");
        residueRuns.Should().Be(0);
        outcomes.Keys.Should().Contain(k => k.StartsWith("cancelled during hold", StringComparison.Ordinal), "the seeded delays reach the hold");
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task TwentyPercentOfWritesFail_EveryRunEndsWithNoResidue(string fault)
    {
        await using var cluster = await ShopCluster.StartAsync();
        var baseline = await ClusterState.CaptureAsync(cluster.Client);
        var verdicts = new Dictionary<ExperimentVerdict, int>();
        var residueRuns = 0;
        var watch = Stopwatch.StartNew();
        var injectedBefore = cluster.Emulator.ApiFaults.InjectedCount;

        // Five kinds at 4.5% each: 1 - 0.955^5 ≈ 20% of writes get one of them.
        var faults = new[]
        {
            new ApiFault { StatusCode = 500, Verbs = ApiFault.WriteVerbs, Probability = 0.045 },
            new ApiFault { StatusCode = 503, Verbs = ApiFault.WriteVerbs, Probability = 0.045 },
            new ApiFault { StatusCode = 429, Verbs = ApiFault.WriteVerbs, Probability = 0.045 },
            new ApiFault { StatusCode = 409, Verbs = ApiFault.WriteVerbs, Probability = 0.045 },
            new ApiFault { Latency = TimeSpan.FromMilliseconds(200), Verbs = ApiFault.WriteVerbs, Probability = 0.045 },
        }.Select(cluster.Emulator.ApiFaults.Add).ToList();
        var writes = 0;
        try
        {
            for (var run = 0; run < ApiFaultRuns; run++)
            {
                var result = await Build(fault, cluster.Client).WithSeed(run)
                    .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(20)))
                    .RunAsync(cluster.Client)
                    .WaitAsync(TimeSpan.FromSeconds(90));
                result.Verdict.Should().BeOneOf(ExperimentVerdict.Passed, ExperimentVerdict.Failed);
                result.NotRecovered.Should().BeEmpty(result.ToReport());
                verdicts[result.Verdict] = verdicts.GetValueOrDefault(result.Verdict) + 1;
                var residue = await ResidueAsync(cluster.Client, baseline);
                if (residue.Count > 0)
                {
                    residueRuns++;
                    output.WriteLine($"run {run} ({result.Verdict}) left: {string.Join("; ", residue)}");
                }

                if (result.Verdict == ExperimentVerdict.Failed)
                {
                    output.WriteLine($"run {run} failed: {result.FailureReason}");
                }

                await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3, TimeSpan.FromSeconds(30));
            }

            writes = cluster.Emulator.Audit.Writes.Count;
        }
        finally
        {
            faults.ForEach(f => f.Dispose());
        }

        var injected = cluster.Emulator.ApiFaults.InjectedCount - injectedBefore;
        output.WriteLine($"| {fault} | {ApiFaultRuns} runs | {writes} writes, {injected} faults injected ({injected * 100.0 / Math.Max(1, writes):F1}%) | "
            + $"{string.Join(", ", verdicts.Select(v => $"{v.Key}: {v.Value}"))} | residue in {residueRuns} | {watch.Elapsed.TotalSeconds:F1} s |");
        residueRuns.Should().Be(0);
        injected.Should().BePositive("the sweep must actually meet faults");
    }

    private static PodOrNodeExperiment Build(string fault, IKubernetes client) => fault switch
    {
        "pod-failure" => new(seed => Experiment.On(Cart).WithSeed(seed).Fail().For(TimeSpan.FromMilliseconds(100))),
        "node-cordon" => new(seed => Experiment.On(Nodes.All()).WithSeed(seed).Cordon().For(TimeSpan.FromMilliseconds(100))),
        "node-drain" => new(seed => Experiment.On(Nodes.All()).WithSeed(seed).Drain().For(TimeSpan.FromMilliseconds(100))),
        "node-taint" => new(seed => Experiment.On(Nodes.All()).WithSeed(seed).Taint(o => o.Effect = TaintEffect.NoSchedule).For(TimeSpan.FromMilliseconds(100))),
        "custom" => new(seed => Experiment.On(Cart).WithSeed(seed).Inject(CreateMarkerAsync, DeleteMarkerAsync, name: "marker").For(TimeSpan.FromMilliseconds(100))),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    /// <summary>The custom fault of the sweep: a ConfigMap named after the experiment, deleted by recovery.</summary>
    private static async Task CreateMarkerAsync(CustomFaultContext context, CancellationToken cancellationToken)
    {
        var map = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"marker-{context.ExperimentId}", NamespaceProperty = "shop" } };
        await context.Client.CoreV1.CreateNamespacedConfigMapAsync(map, "shop", cancellationToken: cancellationToken);
    }

    private static async Task DeleteMarkerAsync(CustomFaultContext context, CancellationToken cancellationToken)
    {
        try
        {
            await context.Client.CoreV1.DeleteNamespacedConfigMapAsync($"marker-{context.ExperimentId}", "shop", cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    private static async Task<IReadOnlyList<string>> ResidueAsync(IKubernetes client, ClusterState baseline)
    {
        var residue = (await ClusterState.ResidueAsync(client, baseline)).ToList();
        var maps = await client.CoreV1.ListNamespacedConfigMapAsync("shop");
        residue.AddRange(maps.Items.Where(m => m.Metadata.Name.StartsWith("marker-", StringComparison.Ordinal)).Select(m => $"configmap {m.Metadata.Name}"));
        return residue;
    }

    /// <summary>Builds the sweep's experiment for a seed (the seed also picks the target).</summary>
    private sealed class PodOrNodeExperiment(Func<int, ChaosExperiment> build)
    {
        private int _seed;

        public PodOrNodeExperiment WithSeed(int seed)
        {
            _seed = seed;
            return this;
        }

        public ChaosExperiment Verify(params SteadyStateProbe[] probes) => build(_seed).Verify(probes);

        public Task<ChaosResult> RunAsync(IKubernetes client, CancellationToken cancellationToken = default) => build(_seed).RunAsync(client, cancellationToken);
    }
}
