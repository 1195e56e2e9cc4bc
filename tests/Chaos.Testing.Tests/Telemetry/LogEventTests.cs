using System.Reflection;
using Chaos.Testing.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing.Tests.Telemetry;

/// <summary>Every kind of log entry has its own EventId, and the ids never change (log queries and filters select by them).</summary>
public sealed class LogEventTests
{
    [Fact]
    public void ChaosLogEvents_AreUniqueAndStable()
    {
        var events = typeof(ChaosLogEvents).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(p => p.Name, p => (EventId)p.GetValue(null)!);

        events.Values.Select(e => e.Id).Should().OnlyHaveUniqueItems();
        events.Values.Select(e => e.Name).Should().OnlyHaveUniqueItems();
        events.Values.Should().OnlyContain(e => e.Id != 0 && e.Name == "Chaos" + events.Single(p => p.Value == e).Key);

        // The published ids: change none of them (a new kind takes a new id).
        events.ToDictionary(e => e.Key, e => e.Value.Id).Should().BeEquivalentTo(new Dictionary<string, int>
        {
            ["Step"] = 100,
            ["Plan"] = 101,
            ["Guard"] = 102,
            ["CheckBefore"] = 103,
            ["Inject"] = 104,
            ["Hold"] = 105,
            ["Recover"] = 106,
            ["CheckAfter"] = 107,
            ["Report"] = 108,
            ["TargetAffected"] = 110,
            ["Error"] = 111,
            ["ProbeBroken"] = 120,
            ["ProbeRecovered"] = 121,
            ["HoldProgress"] = 122,
            ["Refused"] = 130,
            ["PayloadLogUnreadable"] = 140,
        });
    }

    [Fact]
    public async Task Run_LogsEachStepWithItsPhasesEventId_AndNamedFields()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var logger = new StructuredLogger();

        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill().WithLogger(logger).RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        logger.Entries.Should().OnlyContain(e => e.Id.Id != 0, "no entry goes without its kind");
        foreach (var (phase, id) in new[] { ("plan", ChaosLogEvents.Plan), ("guard", ChaosLogEvents.Guard), ("check-before", ChaosLogEvents.CheckBefore),
            ("inject", ChaosLogEvents.Inject), ("hold", ChaosLogEvents.Hold), ("recover", ChaosLogEvents.Recover), ("report", ChaosLogEvents.Report) })
        {
            logger.Of(id).Should().NotBeEmpty(phase).And.OnlyContain(e => Equals(e.Fields["Phase"], phase) && e.Fields.ContainsKey("Message"));
        }

        var killed = logger.Of(ChaosLogEvents.TargetAffected).Should().ContainSingle().Subject;
        killed.Fields["Kind"].Should().Be("Pod");
        killed.Fields["Target"].Should().Be($"shop/{result.Affected.Single().Name}");
        killed.Fields["{OriginalFormat}"].Should().Be("{Kind} {Target}: {Action}");
    }

    [Fact]
    public async Task Refusal_IsLoggedAsAWarning_WithItsReason()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var logger = new StructuredLogger();

        var run = () => Experiment.On(Pods.In("kube-system").WithLabel("app", "cart")).Kill().WithLogger(logger).RunAsync(cluster.Client);

        var refused = (await run.Should().ThrowAsync<ChaosRefusedException>()).Which;
        var entry = logger.Of(ChaosLogEvents.Refused).Should().ContainSingle().Subject;
        entry.Level.Should().Be(LogLevel.Warning);
        entry.Fields["Reason"].Should().Be(refused.Message);
    }
}
