using System.Text.Json;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Testing.Tests.Faults;

/// <summary>Custom faults under the ledger, recovery that fails, and the janitor's decisions.</summary>
public sealed class CustomFaultAndJanitorTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    [Fact]
    public async Task Custom_InjectAndRecoverRunWithTheLedgerOnEachTarget()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        var seenDuringInject = new List<string>();
        var recovered = 0;

        var result = await Experiment.On(Cart).Count(2).Inject(
                async (ctx, ct) =>
                {
                    foreach (var pod in ctx.Pods)
                    {
                        var live = await ctx.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, "shop", cancellationToken: ct);
                        seenDuringInject.Add(live.Metadata.Annotations[$"chaos.testing/ledger-{ctx.ExperimentId}"]);
                    }
                },
                recover: (ctx, ct) =>
                {
                    Interlocked.Increment(ref recovered);
                    return Task.CompletedTask;
                },
                name: "break-config")
            .For(TimeSpan.FromMilliseconds(100))
            .WithSafety(s => s.MaxPercentage = 70)
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        result.Description.Should().Be("inject \"break-config\" into 2 of pods in shop with labels app=cart");
        seenDuringInject.Should().HaveCount(2).And.OnlyContain(json => json.Contains("\"fault\":\"custom\"", StringComparison.Ordinal) && json.Contains("\"name\":\"break-config\"", StringComparison.Ordinal));
        recovered.Should().Be(1);
        result.Affected.Select(a => a.Action).Should().Equal(
            "custom fault \"break-config\" injected", "custom fault \"break-config\" injected",
            "custom fault \"break-config\" recovered", "custom fault \"break-config\" recovered");
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
    }

    [Fact]
    public async Task Custom_InvalidInput_NamesEveryFieldBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var run = () => Experiment.On(Cart).Inject(null!, null!, name: "Bad Name").RunAsync(cluster.Client);
        var error = (await run.Should().ThrowAsync<ChaosConfigurationException>()).Which;
        error.Message.Should().Contain("Custom.Inject: the inject delegate is null")
            .And.Contain("Custom.Recover: the recover delegate is null")
            .And.Contain("Custom.Name: must be 1-40 lowercase letters, digits or '-', e.g. \"break-config\", was \"Bad Name\".");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task RecoveryThatFails_ResultNamesWhatIsLeft_AndTheJanitorRestoresItAfterTheRun()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var run = Experiment.On(Nodes.Named("node-2")).Cordon().For(TimeSpan.FromMilliseconds(300)).RunAsync(cluster.Client);
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable == true, "node-2 cordoned");
        using (cluster.Emulator.Authorization.Deny("update", "nodes"))
        {
            var result = await run;

            result.Verdict.Should().Be(ExperimentVerdict.Failed);
            result.NotRecovered.Should().ContainSingle().Which.Should().StartWith("Node node-2 (The Kubernetes API refused to update nodes at cluster scope (403 Forbidden)");
            result.FailureReason.Should().Contain("recovery failed, 1 object(s) may still be changed: Node node-2")
                .And.Contain($"ledger annotations (chaos.testing/ledger-{result.ExperimentId}) stay, so ChaosJanitor.SweepAsync recovers them, in any process, as soon as this run has given up its Lease (when it ends)");
            result.ToReport().Should().Contain("Not recovered (1), left for ChaosJanitor.SweepAsync:");
            var failed = () => result.EnsureSteadyState();
            failed.Should().Throw<ChaosExperimentFailedException>().WithMessage("*recovery failed, 1 object(s) may still be changed: Node node-2*");
        }

        (await cluster.Client.CoreV1.ReadNodeAsync("node-2")).Spec.Unschedulable.Should().BeTrue("recovery was refused");
        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);

        sweep.Recovered.Should().ContainSingle().Which.Should().Contain("its run holds no Lease (it has ended)").And.EndWith("uncordoned");
        sweep.IsClean.Should().BeTrue();
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
    }

    [Fact]
    public async Task Janitor_LeavesRunsThatAreAlive_UnlessForced_AndAForcedRunSaysItWasRecoveredEarly()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);
        // A run of this process that is still holding is left alone.
        using var stop = new CancellationTokenSource();
        var holding = Experiment.On(Nodes.Named("node-1")).Cordon().For(TimeSpan.FromMinutes(5)).RunAsync(cluster.Client, stop.Token);
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ReadNodeAsync("node-1")).Spec.Unschedulable == true, "node-1 cordoned");
        (await ChaosJanitor.SweepAsync(cluster.Client)).Skipped.Should().ContainSingle().Which.Should().Contain("Node node-1").And.EndWith("its run is running in this process");

        // An entry of a run in another process is left alone while that run renews its Lease, and taken over once it ended.
        await WriteForeignEntryAsync(cluster.Client, "node-3", deadline: DateTimeOffset.UtcNow.AddMinutes(-10));
        await using (await TestLedger.HoldLeaseAsync(cluster.Client, "foreign000001", TimeSpan.FromSeconds(4)))
        {
            var early = await ChaosJanitor.SweepAsync(cluster.Client);
            early.Skipped.Should().HaveCount(2, "a deadline in the past means nothing while the run renews its Lease");
            early.Recovered.Should().BeEmpty();
        }

        var late = await ChaosJanitor.SweepAsync(cluster.Client);
        late.Recovered.Should().ContainSingle().Which.Should().Contain("Node node-3, experiment foreign000001 (node-cordon), its run holds no Lease").And.EndWith("uncordoned");

        // Force recovers the live run too; the run's own recovery then finds nothing left to do.
        var forced = await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { Force = true });
        forced.Recovered.Should().ContainSingle().Which.Should().Contain("Node node-1").And.Contain("forced");
        await stop.CancelAsync();
        var result = await holding;
        result.Verdict.Should().Be(ExperimentVerdict.Aborted);
        result.NotRecovered.Should().BeEmpty();
        result.Errors.Should().ContainSingle(e => e.StartsWith("the run may have been recovered early by another process: its Lease chaos-testing/chaos-run-", StringComparison.Ordinal));
        (await ClusterState.CaptureAsync(cluster.Client)).DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty();
        (await ChaosJanitor.SweepAsync(cluster.Client)).Should().Match<SweepResult>(s => s.IsClean && s.Recovered.Count == 0);
    }

    [Fact]
    public async Task Janitor_CustomFaultWithoutRegisteredRecovery_IsReportedAndKept()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var run = Experiment.On(Cart).Inject((_, _) => Task.CompletedTask, (_, _) => throw new InvalidOperationException("config server down"), name: "break-config")
            .For(TimeSpan.FromMilliseconds(100))
            .RunAsync(cluster.Client);
        var result = await run;

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.NotRecovered.Should().ContainSingle().Which.Should().Contain("the recover delegate of custom fault \"break-config\" failed: config server down");

        var unregistered = await ChaosJanitor.SweepAsync(cluster.Client);
        unregistered.Failed.Should().ContainSingle().Which.Should().Contain("custom fault \"break-config\" has no registered recovery; pass it with new SweepOptions().RecoverCustom(\"break-config\", recover)");
        var recoveredBy = new List<string>();
        var registered = await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions().RecoverCustom("break-config", (ctx, _) =>
        {
            recoveredBy.AddRange(ctx.Pods.Select(p => p.Metadata.Name));
            return Task.CompletedTask;
        }));
        registered.Recovered.Should().ContainSingle();
        recoveredBy.Should().ContainSingle();
        (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "chaos.testing/ledger=true")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task RunOnATestClock_IsNotRecoveredByASweep_AndAPassingRunThatWasTakenOverIsNotPassed()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var holding = Experiment.On(Nodes.Named("node-1")).Cordon().For(TimeSpan.FromSeconds(30)).WithTimeProvider(clock).RunAsync(cluster.Client);
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ReadNodeAsync("node-1")).Spec.Unschedulable == true, "node-1 cordoned");

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client);
        sweep.Recovered.Should().BeEmpty("its deadline, on a clock stuck in 2000, has long passed, but the run is alive");
        (await cluster.Client.CoreV1.ReadNodeAsync("node-1")).Spec.Unschedulable.Should().BeTrue();

        (await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { Force = true })).Recovered.Should().ContainSingle();
        clock.Advance(TimeSpan.FromSeconds(31));
        var result = await holding;
        result.Verdict.Should().Be(ExperimentVerdict.Aborted, "the hold was cut short by another process");
        result.FailureReason.Should().StartWith("the run may have been recovered early by another process: its Lease chaos-testing/chaos-run-")
            .And.EndWith("the steady state was not observed under the fault for the whole hold");
    }

    [Fact]
    public async Task Janitor_WithATestClock_StillRetriesOnRealTime_AndReturns()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await WriteForeignEntryAsync(cluster.Client, "node-3", deadline: clock.GetUtcNow().AddMinutes(-1));
        using var flaky = cluster.Emulator.ApiFaults.Add(new Chaos.Testing.Emulator.ApiFault { StatusCode = 503, Verbs = ["list", "update"], Times = 2 });

        var sweep = await ChaosJanitor.SweepAsync(cluster.Client, new SweepOptions { TimeProvider = clock }).WaitAsync(TimeSpan.FromSeconds(20));

        sweep.Recovered.Should().ContainSingle().Which.Should().EndWith("uncordoned");
    }

    private static async Task WriteForeignEntryAsync(IKubernetes client, string nodeName, DateTimeOffset deadline)
    {
        var node = await client.CoreV1.ReadNodeAsync(nodeName);
        node.Spec.Unschedulable = true;
        await TestLedger.SealAsync(client, node.Metadata, JsonSerializer.Serialize(new
        {
            experiment = "foreign000001",
            fault = "node-cordon",
            deadline,
            owner = new { host = "another-machine", pid = 1, started = deadline.AddHours(-1) },
            recovery = new { cordoned = true },
        }));
        await client.CoreV1.ReplaceNodeAsync(node, nodeName);
    }
}
