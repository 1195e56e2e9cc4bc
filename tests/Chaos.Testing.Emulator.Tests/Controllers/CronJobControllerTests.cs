using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The CronJob controller on the emulator's (here fake) clock: schedules, missed runs, Forbid, history limits.</summary>
public sealed class CronJobControllerTests : EmulatorTest
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 30, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public async Task Schedule_CreatesAJobPerScheduledTime_OnlyTheLatestOfMissedOnes()
    {
        // Arrange
        await Client.BatchV1.CreateNamespacedCronJobAsync(CronJob("report", "*/5 * * * *", "Allow", holdSeconds: null), Ns);
        await Task.Delay(50); // nothing is due yet; give the control plane a pass to prove it
        (await Client.BatchV1.ListNamespacedJobAsync(Ns)).Items.Should().BeEmpty("10:05 has not come yet");

        // Act
        _time.Advance(TimeSpan.FromMinutes(5));
        var first = await Eventually.MatchAsync(() => Client.BatchV1.ListNamespacedJobAsync(Ns), l => l.Items.Count == 1, "the 10:05 job");
        _time.Advance(TimeSpan.FromMinutes(10)); // 10:10 and 10:15 both pass
        var jobs = await Eventually.MatchAsync(() => Client.BatchV1.ListNamespacedJobAsync(Ns), l => l.Items.Count >= 2, "the 10:15 job");
        await Task.Delay(100);

        // Assert
        var at1005 = new DateTimeOffset(2026, 3, 1, 10, 5, 0, TimeSpan.Zero);
        first.Items[0].Metadata.Name.Should().Be($"report-{at1005.ToUnixTimeSeconds() / 60}", "jobs are named by their scheduled minute");
        first.Items[0].Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"].Should().Be("2026-03-01T10:05:00Z");
        jobs = await Client.BatchV1.ListNamespacedJobAsync(Ns);
        jobs.Items.Select(j => j.Metadata.Name).Should().BeEquivalentTo(
            [$"report-{at1005.ToUnixTimeSeconds() / 60}", $"report-{at1005.AddMinutes(10).ToUnixTimeSeconds() / 60}"],
            "of the missed 10:10 and 10:15 only the latest runs");
        var cronJob = await Client.BatchV1.ReadNamespacedCronJobAsync("report", Ns);
        cronJob.Status.LastScheduleTime.Should().Be(at1005.AddMinutes(10).UtcDateTime);
        cronJob.Status.Active.Should().HaveCount(2, "both jobs still run (their pods never exit)");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Forbid_SkipsWhileAJobRuns_AndHistoryLimitsDeleteOldFinishedJobs()
    {
        // Arrange: a job that runs until the test ends, then one that completes at once per run.
        await Client.BatchV1.CreateNamespacedCronJobAsync(CronJob("forbid", "* * * * *", "Forbid", holdSeconds: null), Ns);
        var quick = CronJob("quick", "* * * * *", "Forbid", holdSeconds: "0");
        quick.Spec.SuccessfulJobsHistoryLimit = 1;
        await Client.BatchV1.CreateNamespacedCronJobAsync(quick, Ns);

        // Act
        for (var minute = 1; minute <= 3; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await Eventually.MatchAsync(
                () => Client.BatchV1.ListNamespacedJobAsync(Ns),
                l => l.Items.Any(j => j.Metadata.Name.StartsWith("quick-", StringComparison.Ordinal)
                                      && j.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] == T0.AddSeconds(-30).AddMinutes(minute).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
                                      && j.Status?.Succeeded == 1),
                $"the quick job of minute {minute} completes");
        }

        // Assert
        var jobs = await Eventually.MatchAsync(
            () => Client.BatchV1.ListNamespacedJobAsync(Ns),
            l => l.Items.Count(j => j.Metadata.Name.StartsWith("quick-", StringComparison.Ordinal)) == 1,
            "older completed quick jobs are deleted (successfulJobsHistoryLimit 1)");
        jobs.Items.Count(j => j.Metadata.Name.StartsWith("forbid-", StringComparison.Ordinal)).Should().Be(1, "Forbid starts no job while one runs");
        var events = (await Client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "involvedObject.name=quick")).Items;
        events.Select(e => e.Reason).Should().Contain("SuccessfulCreate").And.Contain("SawCompletedJob").And.Contain("SuccessfulDelete");
    }

    protected override void Configure(KubernetesEmulatorOptions options)
    {
        options.TimeProvider = _time;
        options.PodStartDelay = TimeSpan.Zero;
        options.PodReadyDelay = TimeSpan.Zero;
        options.PodTerminationDelay = TimeSpan.Zero;
    }

    private static V1CronJob CronJob(string name, string schedule, string policy, string? holdSeconds) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1CronJobSpec
        {
            Schedule = schedule,
            ConcurrencyPolicy = policy,
            JobTemplate = new V1JobTemplateSpec { Spec = JobControllerTests.Job(name, 1, 1, holdSeconds).Spec },
        },
    };
}
