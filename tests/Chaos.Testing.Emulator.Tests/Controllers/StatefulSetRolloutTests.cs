using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>A StatefulSet's RollingUpdate, watched as a client sees it (on the fast profile).</summary>
public sealed class StatefulSetRolloutTests : EmulatorTest
{
    [Fact]
    public async Task PatchTemplate_ReplacesOneOrdinalAtATime_HighestFirst_EachAfterTheOthersAreReady()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("web", 3), Ns);
        await Eventually.MatchAsync(() => Client.ActivePodsAsync(Ns, "app=web"), pods => pods.Count == 3 && pods.All(p => p.IsReady()), "3 ready pods",
            describe: ClusterWaits.DescribePods);
        var start = await Client.CoreV1.ListNamespacedPodAsync(Ns);
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync(Ns, resourceVersion: start.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));

        // Act
        await Client.AppsV1.PatchNamespacedStatefulSetAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", Ns);

        // Assert
        var set = await Eventually.MatchAsync(
            () => Client.AppsV1.ReadNamespacedStatefulSetAsync("web", Ns),
            s => s.Status is { UpdatedReplicas: 3, ReadyReplicas: 3 } && s.Status.CurrentRevision == s.Status.UpdateRevision,
            "every pod runs the new template and is Ready");
        set.Status.UpdateRevision.Should().StartWith("web-");
        await watch.WaitForAsync((type, pod) => pod.Metadata.Name == "web-0" && pod.IsReady() && pod.Spec.Containers[0].Image == "nginx:1.26", "web-0 Ready on the new image");
        var events = watch.Events.ToList();
        events.Where(e => e.Object.Metadata.DeletionTimestamp is not null).Select(e => e.Object.Metadata.Name).Distinct()
            .Should().Equal(["web-2", "web-1", "web-0"], "the highest ordinal goes first");
        var pods = start.Items.ToDictionary(p => p.Metadata.Name, StringComparer.Ordinal);
        foreach (var (type, pod) in events)
        {
            if (type == WatchEventType.Deleted)
            {
                pods.Remove(pod.Metadata.Name);
            }
            else
            {
                pods[pod.Metadata.Name] = pod;
            }

            pods.Values.Count(p => p.Metadata.DeletionTimestamp is null && p.IsReady()).Should().BeGreaterThanOrEqualTo(2, "one ordinal at a time is replaced");
        }

        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Options_Timing_IsFastByDefault_AndAnUnknownValueIsRefused()
    {
        new KubernetesEmulatorOptions().Timing.Should().Be(EmulatorTiming.Fast);
        var start = () => KubernetesEmulator.StartAsync(o => o.Timing = (EmulatorTiming)7);
        await start.Should().ThrowAsync<ArgumentException>().WithMessage("*Timing: must be Fast or Realistic, was 7*");
    }
}
