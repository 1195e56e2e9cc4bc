using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>Namespace deletion: Terminating, contents removed, then the namespace.</summary>
public sealed class NamespaceControllerTests : EmulatorTest
{
    [Fact]
    public async Task DeleteNamespace_WithContents_RemovesContentsThenTheNamespace()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        await Client.CoreV1.CreateNamespacedServiceAsync(Service("web", "web"), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);

        // Act
        await Client.CoreV1.DeleteNamespaceAsync(Ns);

        // Assert
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespaceAsync(Ns), $"namespace {Ns}");
        (await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Should().BeEmpty("the namespace goes only once its pods are gone");
        (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Should().BeEmpty();
        (await Client.CoreV1.ListNamespacedServiceAsync(Ns)).Items.Should().BeEmpty();
        (await Client.AppsV1.ListNamespacedDeploymentAsync(Ns)).Items.Should().BeEmpty();
        (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.Should().BeEmpty();
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task DeleteNamespace_WithRunningPod_IsTerminatingUntilThePodIsGone()
    {
        // Arrange: a long termination delay keeps the pod (and so the namespace) around for a while
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.PodTerminationDelay = TimeSpan.FromSeconds(1));
        var client = cluster.Client;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("team") });
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "team");
        await client.WaitForPodRunningAsync("team", "web");

        // Act
        await client.CoreV1.DeleteNamespaceAsync("team");
        var terminating = await client.CoreV1.ReadNamespaceAsync("team");

        // Assert
        terminating.Status.Phase.Should().Be("Terminating");
        terminating.Metadata.DeletionTimestamp.Should().NotBeNull();
        await client.WaitForPodAsync("team", "web", p => p.IsTerminating(), "is being deleted with its namespace");
        await Eventually.GoneAsync(() => client.CoreV1.ReadNamespaceAsync("team"), "namespace team");
        (await client.CoreV1.ListNamespacedPodAsync("team")).Items.Should().BeEmpty();
        cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task DeleteNamespace_WithItsOwnFinalizer_StaysTerminatingUntilTheFinalizerIsRemoved()
    {
        // Arrange
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["example.com/hold"] } });
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "held");

        // Act
        await Client.CoreV1.DeleteNamespaceAsync("held");

        // Assert: once the namespace controller has emptied the namespace, only the finalizer holds it
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("settings", "held"), "the namespace's config map");
        var held = await Client.CoreV1.ReadNamespaceAsync("held");
        held.Status.Phase.Should().Be("Terminating", "metadata.finalizers hold a deleted namespace");
        await Client.CoreV1.PatchNamespaceAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held");
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespaceAsync("held"), "namespace held once its finalizer is removed");
    }
}
