using static Chaos.Testing.Tests.Manifests.ManifestLoadingTests;

namespace Chaos.Testing.Tests.Manifests;

/// <summary>dependsOn order and cycles, windows, retry backoff, duration vs experimentDuration, and the cron schedule.</summary>
public sealed class ManifestSchedulingTests
{
    private const string Kill = "action: pod-kill\nnamespace: shop\nselector: { app: cart }";

    [Fact]
    public void DependsOn_OrdersTheBatch_DependenciesFirst_OtherwiseLoadOrder()
    {
        var set = ChaosManifest.Parse(string.Join("\n---\n",
            Manifest("c", Kill + "\ndependsOn: [b]"),
            Manifest("a", Kill),
            Manifest("b", Kill + "\ndependsOn: [a]"),
            Manifest("d", Kill)));

        set.Problems.Should().BeEmpty();
        set.ExecutionOrder.Select(m => m.Name).Should().Equal("a", "b", "c", "d");
    }

    [Fact]
    public void DependsOn_ACycle_IsAnErrorNamingIt_AndAMissingOrDuplicateNameToo()
    {
        var set = ChaosManifest.Parse(string.Join("\n---\n",
            Manifest("a", Kill + "\ndependsOn: [c]"),
            Manifest("b", Kill + "\ndependsOn: [a]"),
            Manifest("c", Kill + "\ndependsOn: [b]"),
            Manifest("d", Kill + "\ndependsOn: [e]"),
            Manifest("e", Kill, ns: "other"),
            Manifest("a", Kill, ns: "other"),
            Manifest("a", Kill, ns: "other")));

        set.Problems.Select(p => p.Message).Should().BeEquivalentTo([
            "dependency cycle: a → c → b → a; none of them could ever start.",
            "\"e\" is not among the loaded experiments of namespace chaos. Load it too; loaded there: a, b, c, d.",
            "\"other/a\" is loaded twice (first from (string)#6); names must be unique within a namespace.",
        ]);
    }

    [Fact]
    public void RecurringWindow_InItsTimeZoneAndDays_EndExcluded_PastMidnightBelongsToItsStartDay()
    {
        var office = new ManifestTimeWindow { Type = "Recurring", Start = "09:00", End = "17:00", Timezone = "Europe/Berlin", DaysOfWeek = ["Mon", "Tue"] };
        var night = new ManifestTimeWindow { Type = "Recurring", Start = "22:00", End = "02:00", DaysOfWeek = ["Fri"] };

        // 2026-12-07 is a Monday; Berlin is UTC+1 in December.
        office.Contains(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero)).Should().BeTrue("09:00 Berlin");
        office.Contains(new DateTimeOffset(2026, 12, 7, 7, 59, 0, TimeSpan.Zero)).Should().BeFalse();
        office.Contains(new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero)).Should().BeFalse("17:00 Berlin is the end, outside");
        office.Contains(new DateTimeOffset(2026, 12, 9, 10, 0, 0, TimeSpan.Zero)).Should().BeFalse("Wednesday");
        night.Contains(new DateTimeOffset(2026, 12, 11, 23, 0, 0, TimeSpan.Zero)).Should().BeTrue("Friday 23:00");
        night.Contains(new DateTimeOffset(2026, 12, 12, 1, 0, 0, TimeSpan.Zero)).Should().BeTrue("Saturday 01:00, in Friday's window");
        night.Contains(new DateTimeOffset(2026, 12, 13, 1, 0, 0, TimeSpan.Zero)).Should().BeFalse("Sunday 01:00 belongs to Saturday's window");
        var absolute = new ManifestTimeWindow { Type = "Absolute", Start = "2026-12-24T00:00:00Z", End = "2026-12-26T00:00:00Z" };
        absolute.Contains(new DateTimeOffset(2026, 12, 25, 12, 0, 0, TimeSpan.Zero)).Should().BeTrue();
        absolute.Contains(new DateTimeOffset(2026, 12, 26, 0, 0, 0, TimeSpan.Zero)).Should().BeFalse();
    }

    [Fact]
    public void RetryDelay_ExponentialDoublesUpToTenMinutes_FixedStays()
    {
        var spec = new ChaosManifestSpec { RetryDelay = TimeSpan.FromSeconds(30) };

        Enumerable.Range(0, 6).Select(i => ManifestRunner.RetryDelay(spec, i).TotalSeconds).Should().Equal(30, 60, 120, 240, 480, 600);
        ManifestRunner.RetryDelay(spec with { RetryBackoff = "fixed" }, 4).Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Hold_DurationCutByExperimentDuration_PodDelayDurationIsItsLatency_DefaultHoldOtherwise()
    {
        var hold = TimeSpan.FromSeconds(45);
        ManifestActions.HoldOf(new() { Action = "pod-cpu-stress", Duration = TimeSpan.FromMinutes(5) }, hold).Hold.Should().Be(TimeSpan.FromMinutes(5));
        var cut = ManifestActions.HoldOf(new() { Action = "pod-cpu-stress", Duration = TimeSpan.FromMinutes(5), ExperimentDuration = TimeSpan.FromMinutes(2) }, hold);
        cut.Hold.Should().Be(TimeSpan.FromMinutes(2));
        cut.Note.Should().Contain("experimentDuration");
        ManifestActions.HoldOf(new() { Action = "pod-delay", Duration = TimeSpan.FromSeconds(1), ExperimentDuration = TimeSpan.FromMinutes(3) }, hold).Hold.Should().Be(TimeSpan.FromMinutes(3));
        ManifestActions.HoldOf(new() { Action = "pod-delay", Duration = TimeSpan.FromSeconds(1) }, hold).Should().Be(((TimeSpan?)hold, (string?)"held 45s (the run's default hold): the manifest gives no experimentDuration (its duration is the latency), and the operator would hold it until the experiment is deleted."));
        ManifestActions.HoldOf(new() { Action = "node-drain" }, hold).Hold.Should().Be(hold);
        ManifestActions.HoldOf(new() { Action = "pod-kill" }, hold).Should().Be(((TimeSpan?)null, (string?)null));

        var delay = Single(Manifest("d", "action: pod-delay\nnamespace: shop\nselector: { app: cart }\nduration: 2s\nexperimentDuration: 1m"));
        delay.ToExperiment().Duration.Should().Be(TimeSpan.FromMinutes(1), "pod-delay holds for experimentDuration; its duration is the latency");
    }

    [Fact]
    public void Schedule_CronAndMacros_GiveTheNextOccurrences_InvalidOnesAreProblems()
    {
        var at = new DateTimeOffset(2026, 12, 7, 22, 15, 0, TimeSpan.Zero);
        ChaosManifest Scheduled(string cron) => Single(Manifest("s", Kill + $"\nschedule: \"{cron}\""));

        Scheduled("*/30 * * * *").NextOccurrence(at).Should().Be(new DateTimeOffset(2026, 12, 7, 22, 30, 0, TimeSpan.Zero));
        Scheduled("@daily").NextOccurrence(at).Should().Be(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero));
        Scheduled("0 2 * * *").NextOccurrence(new DateTimeOffset(2026, 12, 8, 2, 0, 0, TimeSpan.Zero)).Should().Be(new DateTimeOffset(2026, 12, 9, 2, 0, 0, TimeSpan.Zero), "strictly after");
        Single(Manifest("s", Kill)).NextOccurrence(at).Should().BeNull();
        ChaosManifest.Parse(Manifest("s", Kill + "\nschedule: \"@every_second\"")).Problems.Should().ContainSingle().Which.Message.Should().Contain("@hourly, @daily, @weekly, @monthly, @yearly");
        ChaosManifest.Parse(Manifest("s", Kill + "\nschedule: \"61 * * * *\"")).Problems.Should().ContainSingle().Which.Path.Should().Be("spec.schedule");
    }

    [Fact]
    public void RequiredPermissions_AreTheFaultsAndTheEngines_WithTheirNamespaces()
    {
        var cpu = Single(Manifest("cpu", "action: pod-cpu-stress\nnamespace: shop\nselector: { app: cart }\nduration: 5s\ncpuLoad: 50")).RequiredPermissions;
        var drain = Single(Manifest("drain", "action: node-drain\nnamespace: shop\nselector: { app: cart }")).RequiredPermissions;

        cpu.Select(p => p.ToString()).Should().Contain(["update pods/ephemeralcontainers in shop", "get pods/log in shop", "create secrets in chaos-testing", "create coordination.k8s.io/leases in chaos-testing", "list nodes", "create events in shop"]);
        drain.Select(p => p.ToString()).Should().Contain(["update nodes", "list pods in shop"]);
        drain.Should().Contain(p => p.Resource == "pods" && p.Subresource == "eviction" && p.Namespace == null, "a drain evicts pods of every namespace on the node");
    }

    [Fact]
    public void EveryActionOfTheFormat_MapsToAFaultOfTheCatalog()
    {
        string[] format = ["pod-kill", "pod-delay", "node-drain", "node-taint", "node-cpu-stress", "node-disk-fill", "pod-cpu-stress", "pod-memory-stress",
            "pod-failure", "pod-network-loss", "pod-network-corruption", "pod-disk-fill", "pod-restart", "network-partition"];

        ChaosManifest.Actions.Should().BeEquivalentTo(format);
        foreach (var action in format)
        {
            var fault = ManifestActions.FaultOf(action);
            fault.Should().NotBeNull(action);
            fault!.OperatorAction.Should().Be(action);
        }
    }
}
