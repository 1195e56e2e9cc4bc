using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>Cascading deletion through ownerReferences.</summary>
public sealed class GarbageCollectorTests : EmulatorTest
{
    [Fact]
    public async Task DeleteDeployment_Background_CollectsReplicaSetAndPods()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);

        // Act
        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", Ns);

        // Assert
        await Eventually.MatchAsync(() => Client.AppsV1.ListNamespacedReplicaSetAsync(Ns), l => l.Items.Count == 0, "the replica set is collected");
        await Eventually.MatchAsync(() => Client.CoreV1.ListNamespacedPodAsync(Ns), l => l.Items.Count == 0, "the pods are collected",
            describe: l => ClusterWaits.DescribePods(l.Items));
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task DeleteDeployment_Orphan_KeepsReplicaSetAndPods()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);

        // Act
        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", Ns, propagationPolicy: "Orphan");

        // Assert
        await Eventually.GoneAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns), "the deployment");
        var replicaSet = (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.Should().ContainSingle().Which;
        replicaSet.Metadata.OwnerReferences.Should().BeNullOrEmpty();
        (await Client.ActivePodsAsync(Ns, "app=web")).Should().HaveCount(2);
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task DeleteConfigMapOwner_CollectsOwnedConfigMap()
    {
        // Arrange
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), Ns);
        var owned = ConfigMap("owned");
        owned.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid }];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(owned, Ns);

        // Act
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", Ns);

        // Assert
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("owned", Ns), "the owned config map");
    }
}
