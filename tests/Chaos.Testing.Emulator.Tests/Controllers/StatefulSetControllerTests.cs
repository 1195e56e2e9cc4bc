using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The StatefulSet controller: stable ordinal names, ordered start, same-name replacement.</summary>
public sealed class StatefulSetControllerTests : EmulatorTest
{
    private Task<IReadOnlyList<V1Pod>> WaitForReadyAsync(int count) =>
        Eventually.MatchAsync(
            () => Client.ActivePodsAsync(Ns, "app=web"),
            pods => pods.Count == count && pods.All(p => p.IsReady()),
            $"the stateful set runs {count} ready pods",
            describe: ClusterWaits.DescribePods);

    [Fact]
    public async Task Create_StatefulSet_NamesPodsByOrdinal()
    {
        // Act
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("web", 3), Ns);

        // Assert
        var pods = await WaitForReadyAsync(3);
        pods.Select(p => p.Metadata.Name).Should().BeEquivalentTo("web-0", "web-1", "web-2");
        pods.Should().OnlyContain(p => p.Spec.Hostname == p.Metadata.Name && p.Spec.Subdomain == "web");
        pods.Single(p => p.Metadata.Name == "web-2").Metadata.Labels.Should().Contain("apps.kubernetes.io/pod-index", "2");
        var set = await Eventually.MatchAsync(() => Client.AppsV1.ReadNamespacedStatefulSetAsync("web", Ns), s => s.Status?.ReadyReplicas == 3, "the status counts 3 ready replicas");
        set.Status.Replicas.Should().Be(3);
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Create_OrderedReady_StartsEachPodAfterThePreviousIsReady()
    {
        // Arrange
        var start = await Client.CoreV1.ListNamespacedPodAsync(Ns);
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync(Ns, resourceVersion: start.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));

        // Act
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("web", 3), Ns);

        // Assert
        await WaitForReadyAsync(3);
        await watch.WaitForAsync((type, pod) => type == WatchEventType.Modified && pod.Metadata.Name == "web-2" && pod.IsReady(), "web-2 Ready");
        var events = watch.Events.ToList();
        int Index(Func<WatchEventType, V1Pod, bool> match) => events.FindIndex(e => match(e.Type, e.Object));
        Index((t, p) => t == WatchEventType.Added && p.Metadata.Name == "web-1").Should().BeGreaterThan(Index((_, p) => p.Metadata.Name == "web-0" && p.IsReady()));
        Index((t, p) => t == WatchEventType.Added && p.Metadata.Name == "web-2").Should().BeGreaterThan(Index((_, p) => p.Metadata.Name == "web-1" && p.IsReady()));
    }

    [Fact]
    public async Task DeletePod_OfStatefulSet_IsRecreatedWithTheSameName()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("web", 3), Ns);
        var before = (await WaitForReadyAsync(3)).Single(p => p.Metadata.Name == "web-1");

        // Act
        await Client.CoreV1.DeleteNamespacedPodAsync("web-1", Ns);

        // Assert
        var replacement = await Client.WaitForPodAsync(Ns, "web-1", p => p.Metadata.Uid != before.Metadata.Uid && p.IsReady(), "is recreated (new uid) and Ready");
        replacement.Metadata.Name.Should().Be("web-1");
        (await WaitForReadyAsync(3)).Select(p => p.Metadata.Name).Should().BeEquivalentTo("web-0", "web-1", "web-2");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Patch_ReplicasDown_RemovesHighestOrdinals()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("web", 3), Ns);
        await WaitForReadyAsync(3);

        // Act
        await Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch), "web", Ns);

        // Assert
        await Eventually.MatchAsync(() => Client.CoreV1.ListNamespacedPodAsync(Ns), l => l.Items.Count == 1, "only one pod is left",
            describe: l => ClusterWaits.DescribePods(l.Items));
        (await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Single().Metadata.Name.Should().Be("web-0");
        Cluster.ControllerError.Should().BeNull();
    }
}
