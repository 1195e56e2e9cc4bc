using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>
/// Finalizers on every kind: the garbage collector and namespace deletion only mark objects that have some, and they go
/// once the last is removed; Foreground propagation keeps the owner (with <c>foregroundDeletion</c>) until its
/// dependents are gone.
/// </summary>
public sealed class FinalizerDeletionTests : EmulatorTest
{
    private const string Hold = "example.com/hold";

    [Fact]
    public async Task NamespaceDeletion_KeepsAConfigMapWithAFinalizer_UntilItIsRemoved()
    {
        // Arrange
        var held = ConfigMap("held");
        held.Metadata.Finalizers = [Hold];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(held, Ns);

        // Act
        await Client.CoreV1.DeleteNamespaceAsync(Ns);

        // Assert
        var marked = await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedConfigMapAsync("held", Ns), c => c.Metadata.DeletionTimestamp is not null, "the config map is marked");
        marked.Metadata.Finalizers.Should().Equal(Hold);
        (await Client.CoreV1.ReadNamespaceAsync(Ns)).Status.Phase.Should().Be("Terminating", "the namespace waits for its content");

        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "held", Ns);
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("held", Ns), "the released config map");
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespaceAsync(Ns), "the emptied namespace");
    }

    [Fact]
    public async Task BackgroundCollection_MarksADependentWithAFinalizer_AndRemovesItOnceReleased()
    {
        // Arrange
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), Ns);
        var owned = ConfigMap("owned");
        owned.Metadata.Finalizers = [Hold];
        owned.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid }];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(owned, Ns);

        // Act
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", Ns);

        // Assert
        await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedConfigMapAsync("owned", Ns), c => c.Metadata.DeletionTimestamp is not null, "the dependent is marked, not removed");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":[]}}", V1Patch.PatchType.MergePatch), "owned", Ns);
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("owned", Ns), "the released dependent");
    }

    [Fact]
    public async Task ForegroundDeletion_KeepsTheDeploymentUntilItsPodsAreGone()
    {
        // Arrange: one pod of the deployment is held by a finalizer, so its removal waits for the test.
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);
        var held = (await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items[0].Metadata.Name;
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch($"{{\"metadata\":{{\"finalizers\":[\"{Hold}\"]}}}}", V1Patch.PatchType.MergePatch), held, Ns);

        // Act
        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", Ns, propagationPolicy: "Foreground");

        // Assert
        var pending = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns);
        pending.Metadata.DeletionTimestamp.Should().NotBeNull();
        pending.Metadata.Finalizers.Should().Contain("foregroundDeletion");
        await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync(held, Ns), p => p.Status.Phase == "Failed", "the held pod is stopped and waits for its finalizer");
        (await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns)).Metadata.DeletionTimestamp.Should().NotBeNull("a dependent still exists");

        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), held, Ns);
        await Eventually.GoneAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns), "the deployment, once its pods are gone");
        (await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Should().BeEmpty();
        (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.Should().BeEmpty();
        Cluster.ControllerError.Should().BeNull();
    }
}
