using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing.Tests.Engine;

public sealed class PlanningAndLoggingTests
{
    [Fact]
    public async Task Plan_TerminatingAndNotRunningPods_AreNeverPicked()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        var terminating = pods[0].Metadata.Name;
        foreach (var node in new[] { "node-1", "node-2", "node-3" })
        {
            await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"unschedulable\":true}}", V1Patch.PatchType.MergePatch), node);
        }
        await cluster.Client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}", V1Patch.PatchType.MergePatch), terminating, "shop");
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(terminating, "shop");

        // The Deployment replaces the terminating pod, but the replacement cannot schedule: it stays Pending.
        await WaitUntilAsync(async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.Any(p => p.Status?.Phase == "Pending"));
        var pending = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.First(p => p.Status?.Phase == "Pending").Metadata.Name;

        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).All().Kill().DryRun()
            .WithSafety(s => (s.MaxPercentage, s.MinHealthyRemaining) = (100, 0))
            .RunAsync(cluster.Client);

        result.Affected.Select(a => a.Name).Should().BeEquivalentTo([pods[1].Metadata.Name, pods[2].Metadata.Name]);
        result.Timeline.Should().Contain(t => t.Phase == "plan"
            && t.Message.Contains($"1 terminating ({terminating})", StringComparison.Ordinal)
            && t.Message.Contains($"1 not running ({pending})", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WithALogger_LogsEveryStepButNeverTheClientsCredentials()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.Emulator.KubeconfigPath);
        using var client = new Kubernetes(config);
        var logger = new ListLogger();

        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill().WithLogger(logger).RunAsync(client);

        result.Verdict.Should().Be(ExperimentVerdict.Passed);
        logger.Lines.Should().Contain(l => l.Contains("inject", StringComparison.Ordinal)).And.Contain(l => l.Contains("recover", StringComparison.Ordinal));
        config.AccessToken.Should().NotBeNullOrEmpty();
        logger.Lines.Should().NotContain(l => l.Contains(config.AccessToken!, StringComparison.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }
}
