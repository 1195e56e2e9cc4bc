using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The DaemonSet controller: one pod per eligible node.</summary>
public sealed class DaemonSetControllerTests : EmulatorTest
{
    private Task<IReadOnlyList<V1Pod>> WaitForPodsAsync(int count) =>
        Eventually.MatchAsync(
            () => Client.ActivePodsAsync(Ns, "app=agent"),
            pods => pods.Count == count && pods.All(p => p.IsReady()),
            $"the daemon set runs {count} ready pods",
            describe: ClusterWaits.DescribePods);

    [Fact]
    public async Task Create_DaemonSet_RunsOnePodPerNode()
    {
        // Act
        await Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("agent"), Ns);

        // Assert
        var pods = await WaitForPodsAsync(3);
        pods.Select(p => p.Spec.NodeName).Should().BeEquivalentTo("node-1", "node-2", "node-3");
        var set = await Eventually.MatchAsync(() => Client.AppsV1.ReadNamespacedDaemonSetAsync("agent", Ns), d => d.Status?.NumberReady == 3, "the status counts 3 ready pods");
        set.Status.DesiredNumberScheduled.Should().Be(3);
        set.Status.CurrentNumberScheduled.Should().Be(3);
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Create_DaemonSetWithCordonedNode_StillCoversIt()
    {
        // Arrange: daemon pods tolerate node.kubernetes.io/unschedulable, as in Kubernetes
        await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "node-3");

        // Act
        await Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("agent"), Ns);

        // Assert
        (await WaitForPodsAsync(3)).Select(p => p.Spec.NodeName).Should().Contain("node-3");
    }

    [Fact]
    public async Task Create_DaemonSetWithTaintedNode_SkipsItUnlessTolerated()
    {
        // Arrange
        await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"taints":[{"key":"dedicated","value":"gpu","effect":"NoSchedule"}]}}""", V1Patch.PatchType.MergePatch), "node-2");

        // Act
        await Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("agent"), Ns);

        // Assert
        (await WaitForPodsAsync(2)).Select(p => p.Spec.NodeName).Should().BeEquivalentTo("node-1", "node-3");
        (await Client.AppsV1.ReadNamespacedDaemonSetAsync("agent", Ns)).Status.DesiredNumberScheduled.Should().Be(2);
    }

    [Fact]
    public async Task DeletePod_OfDaemonSet_IsReplacedOnTheSameNode()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("agent"), Ns);
        var victim = (await WaitForPodsAsync(3)).Single(p => p.Spec.NodeName == "node-2");

        // Act
        await Client.CoreV1.DeleteNamespacedPodAsync(victim.Metadata.Name, Ns, gracePeriodSeconds: 0);

        // Assert
        var pods = await Eventually.MatchAsync(
            () => Client.ActivePodsAsync(Ns, "app=agent"),
            list => list.Count == 3 && list.All(p => p.IsReady()) && list.All(p => p.Metadata.Uid != victim.Metadata.Uid),
            "a new ready pod replaces the deleted one",
            describe: ClusterWaits.DescribePods);
        pods.Select(p => p.Spec.NodeName).Should().BeEquivalentTo("node-1", "node-2", "node-3");
        Cluster.ControllerError.Should().BeNull();
    }
}
