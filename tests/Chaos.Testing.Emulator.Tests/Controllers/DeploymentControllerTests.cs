using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The Deployment and ReplicaSet controllers, through the pods they create.</summary>
public sealed class DeploymentControllerTests : EmulatorTest
{
    [Fact]
    public async Task Create_Deployment_RunsReadyPodsThroughAReplicaSet()
    {
        // Act
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), Ns);

        // Assert
        var deployment = await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        deployment.Status.ReadyReplicas.Should().Be(3);
        deployment.Status.UpdatedReplicas.Should().Be(3);
        deployment.Status.ObservedGeneration.Should().Be(1);
        deployment.Status.Conditions.Should().Contain(c => c.Type == "Available" && c.Status == "True");
        var replicaSet = (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.Should().ContainSingle().Which;
        replicaSet.Metadata.OwnerReferences.Should().ContainSingle().Which.Should().Match<V1OwnerReference>(o => o.Kind == "Deployment" && o.Name == "web" && o.Controller == true);
        var pods = await Client.ActivePodsAsync(Ns, "app=web");
        pods.Should().HaveCount(3).And.OnlyContain(p => p.Metadata.Name.StartsWith(replicaSet.Metadata.Name + "-", StringComparison.Ordinal));
        pods.Select(p => p.Spec.NodeName).Should().OnlyHaveUniqueItems("three pods spread over three nodes");
        pods.Select(p => p.Status.PodIP).Should().OnlyHaveUniqueItems();
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task DeletePod_OfDeployment_IsReplacedAndDeploymentRecovers()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        var victim = (await Client.ActivePodsAsync(Ns, "app=web"))[1];

        // Act
        await Client.CoreV1.DeleteNamespacedPodAsync(victim.Metadata.Name, Ns);

        // Assert
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync(victim.Metadata.Name, Ns), "the deleted pod");
        var deployment = await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        deployment.Status.AvailableReplicas.Should().Be(3);
        var pods = await Client.ActivePodsAsync(Ns, "app=web");
        pods.Select(p => p.Metadata.Uid).Should().NotContain(victim.Metadata.Uid);
        pods.Should().OnlyContain(p => p.IsReady());
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Patch_Replicas_ScalesUpAndDown()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);

        // Act
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 5);
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch), "web", Ns);

        // Assert
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 1);
        await Eventually.MatchAsync(() => Client.CoreV1.ListNamespacedPodAsync(Ns), l => l.Items.Count == 1, "the surplus pods are gone",
            describe: l => ClusterWaits.DescribePods(l.Items));
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Patch_TemplateImage_RollsOutANewReplicaSet()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);

        // Act
        await Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", Ns);

        // Assert
        await Eventually.MatchAsync(
            () => Client.ActivePodsAsync(Ns, "app=web"),
            pods => pods.Count == 2 && pods.All(p => p.IsReady() && p.Spec.Containers[0].Image == "nginx:1.26"),
            "both pods run nginx:1.26",
            describe: ClusterWaits.DescribePods);
        var sets = (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items;
        sets.Should().HaveCount(2);
        sets.Select(rs => rs.Spec.Replicas).Should().BeEquivalentTo([0, 2]);
        sets.Single(rs => rs.Spec.Replicas == 2).Metadata.Annotations["deployment.kubernetes.io/revision"].Should().Be("2");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Create_ReplicaSet_KeepsItsReplicaCount()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSet("cache", 2), Ns);
        await Eventually.MatchAsync(() => Client.ActivePodsAsync(Ns, "app=cache"), pods => pods.Count == 2 && pods.All(p => p.IsReady()), "2 ready cache pods",
            describe: ClusterWaits.DescribePods);

        // Act
        await Client.CoreV1.DeleteCollectionNamespacedPodAsync(Ns, labelSelector: "app=cache", gracePeriodSeconds: 0);

        // Assert
        var replicaSet = await Eventually.MatchAsync(
            () => Client.AppsV1.ReadNamespacedReplicaSetAsync("cache", Ns),
            rs => rs.Status?.ReadyReplicas == 2 && rs.Status.Replicas == 2,
            "the replica set is back to 2 ready replicas");
        replicaSet.Status.AvailableReplicas.Should().Be(2);
        Cluster.ControllerError.Should().BeNull();
    }
}
