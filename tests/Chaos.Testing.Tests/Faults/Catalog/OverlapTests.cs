using System.Diagnostics;
using Chaos.Testing.Tests.Support;
using k8s;
using Xunit.Abstractions;
using static Chaos.Testing.Tests.Faults.Catalog.CatalogConformance;

namespace Chaos.Testing.Tests.Faults.Catalog;

/// <summary>
/// One experiment per target and fault family: two experiments of one family started a few milliseconds apart on the
/// same pod or node, 50 seeded races per family: exactly one injects, the other is refused naming it, nothing is left.
/// </summary>
public sealed class OverlapTests(ITestOutputHelper output)
{
    private const int Races = 50;

    public static TheoryData<string> Families()
    {
        var data = new TheoryData<string>();
        foreach (var family in FaultCatalog.All.Select(f => f.Family).OfType<string>().Distinct().Order(StringComparer.Ordinal))
        {
            data.Add(family);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task TwoOfOneFamilyRacingForOneTarget_ExactlyOneInjects_TheOtherIsRefusedNamingIt_NothingLeft(string family)
    {
        var members = FaultCatalog.All.Where(f => f.Family == family).ToList();
        var (first, second) = (members[0], members[Math.Min(1, members.Count - 1)]);
        await using var cluster = await ShopCluster.StartAsync();
        var baseline = await ClusterState.CaptureAsync(cluster.Client);
        var refusals = new Dictionary<string, int>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        for (var race = 0; race < Races; race++)
        {
            var pod = (await CartPodsAsync(cluster.Client)).Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ElementAt(race % 3).Metadata.Name;
            var node = $"node-{1 + (race % 3)}";
            var offset = TimeSpan.FromMilliseconds(new Random(2000 + race).Next(0, 20));

            var a = RunAsync(cluster.Client, first, pod, node);
            await Task.Delay(offset);
            var b = RunAsync(cluster.Client, second, pod, node);
            var runs = await Task.WhenAll(a, b);
            var outcomes = runs.Select(r => r.Outcome).ToList();

            // Both may inject only one after the other, never at once: each claims before its hold starts and holds until it has
            // recovered, so two holds that began before the other's recovery ended held the pod together.
            var overlapped = runs.All(r => r.Outcome == "injected") && runs[0].Held < runs[1].Recovered && runs[1].Held < runs[0].Recovered;
            (outcomes.Count(o => o == "injected") == 1 || (outcomes.All(o => o == "injected") && !overlapped)).Should().BeTrue(
                $"race {race} ({first.Name} then {second.Name} after {offset.TotalMilliseconds} ms): {string.Join(" | ", runs)}");
            if (outcomes.All(o => o == "injected"))
            {
                refusals["one after the other"] = refusals.GetValueOrDefault("one after the other") + 1;
                (await ResidueAsync(cluster.Client, baseline)).Should().BeEmpty($"race {race}");
                await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3, TimeSpan.FromSeconds(30));
                continue;
            }

            var refusal = outcomes.Single(o => o != "injected");
            var kind = refusal.Contains(" is held by experiment ", StringComparison.Ordinal) ? "claimed by the other (named)" : refusal;
            refusals[kind] = refusals.GetValueOrDefault(kind) + 1;
            (await ResidueAsync(cluster.Client, baseline)).Should().BeEmpty($"race {race}");
            await cluster.WaitForReadyPodsAsync("shop", "app=cart", 3, TimeSpan.FromSeconds(30));
        }

        output.WriteLine($"| {family} | {first.Name} vs {second.Name} | {Races} races | {watch.Elapsed.TotalSeconds:F1} s | "
            + string.Join(", ", refusals.Select(r => $"{r.Key}: {r.Value}")) + " |");
        refusals.Keys.Should().Contain("claimed by the other (named)");
    }

    /// <summary>"injected" (with when it injected and finished) when the run passed; the refusal's message when it was refused.</summary>
    private static async Task<Race> RunAsync(IKubernetes client, FaultDescriptor fault, string pod, string node)
    {
        var sample = fault.Sample(new FaultSampleTargets(Experiment.On(Pods.In("shop").Named(pod)), Experiment.On(Nodes.Named(node)), Cart));
        try
        {
            var result = await sample.For(TimeSpan.FromMilliseconds(100)).WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; }).RunAsync(client);
            var held = result.Timeline.FirstOrDefault(t => t.Phase == "hold")?.At ?? DateTimeOffset.MaxValue;
            var recovered = result.Timeline.LastOrDefault(t => t.Phase == "recover")?.At ?? result.FinishedAt;
            return new Race(result.Verdict == ExperimentVerdict.Passed ? "injected" : $"{result.Verdict}: {result.FailureReason}", held, recovered);
        }
        catch (ChaosRefusedException refused)
        {
            return new Race(refused.Message, DateTimeOffset.MaxValue, DateTimeOffset.MinValue);
        }
    }

    private sealed record Race(string Outcome, DateTimeOffset Held, DateTimeOffset Recovered)
    {
        public override string ToString() => Outcome == "injected" ? $"injected, held {Held:HH:mm:ss.fff}, recovered {Recovered:HH:mm:ss.fff}" : Outcome;
    }
}
