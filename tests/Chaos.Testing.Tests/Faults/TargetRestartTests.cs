using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// A target container that restarts during the hold (what a network fault that fails a liveness probe causes) has its
/// pod's fault removed at once, by the fault's own early recovery, while the other pods keep theirs until the hold ends.
/// </summary>
public sealed class TargetRestartTests
{
    [Fact]
    public async Task TargetContainerRestartsMidHold_TheFaultIsRemovedFromThatPodAtOnce_AndTheResultSaysSo()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var stop = new CancellationTokenSource();
        var running = Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Count(2).WithSeed(7)
            .DelayNetwork(TimeSpan.FromMilliseconds(100)).For(TimeSpan.FromMinutes(5)).WithSafety(s => s.MaxPercentage = 100).RunAsync(cluster.Client, stop.Token);
        await Eventually.TrueAsync(async () => (await PayloadsRunningAsync(cluster.Client)).Count == 2, "both payloads running", TimeSpan.FromSeconds(30));
        var held = await PayloadsRunningAsync(cluster.Client);
        var victim = held[0];

        // The target container restarts (the emulator's kubelet restarts a container whose image changed).
        await Eventually.TrueAsync(async () =>
        {
            var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(victim, "shop");
            pod.Spec.Containers[0].Image = "example/cart:1.1";
            try
            {
                await cluster.Client.CoreV1.ReplaceNamespacedPodAsync(pod, victim, "shop");
                return true;
            }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                return false;
            }
        }, "the cart container's image changed");

        // Its ledger entry goes while the run still holds; the other pod keeps its fault.
        await Eventually.TrueAsync(async () => (await cluster.Client.CoreV1.ReadNamespacedPodAsync(victim, "shop")).Metadata.Annotations?.Keys.Any(k => k.StartsWith("chaos.testing/ledger-", StringComparison.Ordinal)) != true,
            "the restarted pod's fault removed", TimeSpan.FromSeconds(30));
        var other = await cluster.Client.CoreV1.ReadNamespacedPodAsync(held[1], "shop");
        other.Metadata.Annotations.Keys.Should().Contain(k => k.StartsWith("chaos.testing/ledger-", StringComparison.Ordinal), "the other pod's target did not restart");
        running.IsCompleted.Should().BeFalse("the hold goes on for the other pod");

        await stop.CancelAsync();
        var result = await running;
        result.Affected.Should().ContainSingle(a => a.Name == victim && a.Action.StartsWith("target container cart restarted (restart count 0 → 1) during the hold: fault removed at once (", StringComparison.Ordinal));
        result.NotRecovered.Should().BeEmpty();
        (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "chaos.testing/ledger=true")).Items.Should().BeEmpty();
    }

    /// <summary>The pods whose network-delay payload runs.</summary>
    private static async Task<IReadOnlyList<string>> PayloadsRunningAsync(IKubernetes client) =>
        (await client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart")).Items
            .Where(p => p.Status?.EphemeralContainerStatuses?.Any(s => s.Name.StartsWith("chaos-network-delay-", StringComparison.Ordinal) && s.State?.Running != null) == true)
            .Select(p => p.Metadata.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
}
