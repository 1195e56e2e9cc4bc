using System.Diagnostics;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// The recovery guarantee under API faults, for every fault of the catalog: 10 runs per fault while every write has a
/// 20% chance of 500/503/429/409/latency (the cancellation sweep is in <c>CatalogConformanceTests</c>). Every run must
/// end (never hang) and leave 0 residue: no ledger mark, nodes identical, no pod on a pause image, no payload running.
/// The table of each sweep is written to the test output.
/// </summary>
public sealed class RecoverySweepTests(ITestOutputHelper output)
{
    private const int ApiFaultRuns = 10;

    public static TheoryData<string> Faults => Catalog.CatalogConformance.Names();

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
                var result = await Catalog.CatalogConformance.Sample(fault, run).For(TimeSpan.FromMilliseconds(100))
                    .Verify(SteadyState.DeploymentAvailable("shop", "cart").BeforeAndAfter(TimeSpan.FromSeconds(20)))
                    .RunAsync(cluster.Client)
                    .WaitAsync(TimeSpan.FromSeconds(90));
                result.Verdict.Should().BeOneOf(ExperimentVerdict.Passed, ExperimentVerdict.Failed);
                result.NotRecovered.Should().BeEmpty(result.ToReport());
                verdicts[result.Verdict] = verdicts.GetValueOrDefault(result.Verdict) + 1;
                var residue = await Catalog.CatalogConformance.ResidueAsync(cluster.Client, baseline);
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
}
