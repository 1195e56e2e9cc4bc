using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The scheduler and the NoExecute taint manager: cordons, taints and tolerations.</summary>
public sealed class SchedulerTests : EmulatorTest
{
    private static readonly Dictionary<string, string> OnNode2 = new() { ["kubernetes.io/hostname"] = "node-2" };

    private Task<V1Node> TaintAsync(string node, string effect) =>
        Client.CoreV1.PatchNodeAsync(
            new V1Patch($$$"""{"spec":{"taints":[{"key":"dedicated","value":"gpu","effect":"{{{effect}}}"}]}}""", V1Patch.PatchType.MergePatch), node);

    private static V1Toleration GpuToleration(string effect) => new() { Key = "dedicated", OperatorProperty = "Equal", Value = "gpu", Effect = effect };

    [Fact]
    public async Task Schedule_CordonedNode_GetsNoNewPods()
    {
        // Arrange
        await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "node-1");

        // Act
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 6), Ns);

        // Assert
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 6);
        var pods = await Client.ActivePodsAsync(Ns, "app=web");
        pods.Select(p => p.Spec.NodeName).Should().NotContain("node-1").And.Contain("node-2").And.Contain("node-3");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Schedule_OnlyCordonedNodeMatches_StaysPendingWithReason()
    {
        // Arrange
        await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "node-2");

        // Act
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("pinned", nodeSelector: OnNode2), Ns);

        // Assert
        var pod = await Client.WaitForPodAsync(Ns, "pinned", p => p.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true, "is reported unschedulable");
        pod.Spec.NodeName.Should().BeNull();
        pod.Status.Phase.Should().Be("Pending");
        pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Message.Should().Contain("0/3 nodes are available").And.Contain("unschedulable");
    }

    [Fact]
    public async Task Schedule_UncordonedNode_TakesThePendingPod()
    {
        // Arrange
        await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "node-2");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("pinned", nodeSelector: OnNode2), Ns);
        await Client.WaitForPodAsync(Ns, "pinned", p => p.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true, "is reported unschedulable");

        // Act
        await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":false}}""", V1Patch.PatchType.MergePatch), "node-2");

        // Assert
        var pod = await Client.WaitForPodReadyAsync(Ns, "pinned");
        pod.Spec.NodeName.Should().Be("node-2");
    }

    [Fact]
    public async Task Schedule_NoScheduleTaint_KeepsUntoleratedPodsOff()
    {
        // Arrange
        await TaintAsync("node-2", "NoSchedule");

        // Act
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 6), Ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("pinned", nodeSelector: OnNode2), Ns);

        // Assert
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 6);
        (await Client.ActivePodsAsync(Ns, "app=web")).Select(p => p.Spec.NodeName).Should().NotContain("node-2");
        var pinned = await Client.WaitForPodAsync(Ns, "pinned", p => p.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true, "is reported unschedulable");
        pinned.Status.Conditions.Single(c => c.Type == "PodScheduled").Message.Should().Contain("untolerated taint");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Schedule_NoScheduleTaintTolerated_AllowsThePod()
    {
        // Arrange
        await TaintAsync("node-2", "NoSchedule");
        var pod = Pod("tolerant", nodeSelector: OnNode2);
        pod.Spec.Tolerations = [GpuToleration("NoSchedule")];

        // Act
        await Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);

        // Assert
        (await Client.WaitForPodReadyAsync(Ns, "tolerant")).Spec.NodeName.Should().Be("node-2");
    }

    [Fact]
    public async Task Schedule_NoScheduleTaintTolerated_DeploymentUsesTheNode()
    {
        // Arrange
        await TaintAsync("node-2", "NoSchedule");

        // Act
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 6, tolerations: [GpuToleration("NoSchedule")]), Ns);

        // Assert
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 6);
        (await Client.ActivePodsAsync(Ns, "app=web")).Select(p => p.Spec.NodeName).Should().Contain("node-2");
    }

    [Fact]
    public async Task NoExecuteTaint_UntoleratedPods_AreEvictedFromThatNode()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        var tolerant = Pod("tolerant", nodeSelector: OnNode2);
        tolerant.Spec.Tolerations = [GpuToleration("NoExecute")];
        await Client.CoreV1.CreateNamespacedPodAsync(tolerant, Ns);
        await Client.WaitForPodReadyAsync(Ns, "tolerant");
        var evicted = (await Client.ActivePodsAsync(Ns, "app=web")).Single(p => p.Spec.NodeName == "node-2");

        // Act
        await TaintAsync("node-2", "NoExecute");

        // Assert
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync(evicted.Metadata.Name, Ns), "the untolerated pod on node-2");
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        (await Client.ActivePodsAsync(Ns, "app=web")).Select(p => p.Spec.NodeName).Should().NotContain("node-2");
        var survivor = await Client.CoreV1.ReadNamespacedPodAsync("tolerant", Ns);
        survivor.Metadata.DeletionTimestamp.Should().BeNull("it tolerates the taint");
        survivor.Spec.NodeName.Should().Be("node-2");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Schedule_NodeSelectorMatchingNoNode_StaysPending()
    {
        // Act
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("nowhere"), Ns);

        // Assert
        var pod = await Client.WaitForPodAsync(Ns, "nowhere", p => p.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "Unschedulable") == true, "is reported unschedulable");
        pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Message.Should().Contain("3 node(s) didn't match Pod's node affinity/selector");
    }
}
