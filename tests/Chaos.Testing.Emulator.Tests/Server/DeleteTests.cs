using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>delete (graceful for pods) and deletecollection.</summary>
public sealed class DeleteTests : EmulatorTest
{
    // Long enough that a GET right after the delete still sees the terminating pod.
    protected override void Configure(KubernetesEmulatorOptions options) => options.PodTerminationDelay = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task DeletePod_WithGracePeriod_HasDeletionTimestampThenDisappears()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodReadyAsync(Ns, "web");

        // Act
        var deleted = await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns, gracePeriodSeconds: 30);
        var terminating = await Client.CoreV1.ReadNamespacedPodAsync("web", Ns);

        // Assert
        deleted.Metadata.DeletionTimestamp.Should().NotBeNull();
        deleted.Metadata.DeletionGracePeriodSeconds.Should().Be(30);
        terminating.Metadata.DeletionTimestamp.Should().NotBeNull("the pod terminates gracefully");
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns), "the gracefully deleted pod");
    }

    [Fact]
    public async Task DeletePod_WithGracePeriod_LeavesReadyStateAtOnce()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodReadyAsync(Ns, "web");

        // Act
        await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns);

        // Assert
        await Client.WaitForPodAsync(Ns, "web", p => p.IsTerminating() && !p.IsReady(), "is terminating and no longer Ready");
    }

    [Fact]
    public async Task DeletePod_GracePeriodZero_IsGoneImmediately()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodRunningAsync(Ns, "web");

        // Act
        await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns, gracePeriodSeconds: 0);

        // Assert
        var status = await ((Func<Task>)(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
        status.Reason.Should().Be("NotFound");
        status.Message.Should().Be("pods \"web\" not found");
    }

    [Fact]
    public async Task DeletePod_GracePeriodZeroInBody_IsGoneImmediately()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodRunningAsync(Ns, "web");

        // Act
        await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns, new V1DeleteOptions { GracePeriodSeconds = 0 });

        // Assert
        await ((Func<Task>)(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeletePod_Missing_Answers404()
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.DeleteNamespacedPodAsync("ghost", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);

        // Assert
        status.Details.Name.Should().Be("ghost");
    }

    [Fact]
    public async Task Delete_UidPreconditionMismatch_Answers409AndKeepsObject()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        var options = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "00000000-0000-0000-0000-000000000000" } };

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.DeleteNamespacedConfigMapAsync("settings", Ns, options))).ShouldFailWithAsync(HttpStatusCode.Conflict);

        // Assert
        status.Message.Should().Contain("Precondition failed");
        (await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns)).Should().NotBeNull();
    }

    [Fact]
    public async Task DeleteCollection_WithLabelSelector_DeletesOnlyMatchingObjects()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a1", Labels(("batch", "a"))), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a2", Labels(("batch", "a"))), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b1", Labels(("batch", "b"))), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("none"), Ns);

        // Act
        await Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(Ns, labelSelector: "batch=a");

        // Assert
        (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Own().Select(c => c.Metadata.Name).Should().BeEquivalentTo("b1", "none");
    }

    [Fact]
    public async Task DeleteCollection_PodsWithGracePeriodZero_RemovesThemAtOnce()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("chaos-1", Labels(("chaos", "yes"))), Ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("chaos-2", Labels(("chaos", "yes"))), Ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("keep"), Ns);
        await Client.WaitForPodRunningAsync(Ns, "chaos-2");

        // Act
        await Client.CoreV1.DeleteCollectionNamespacedPodAsync(Ns, labelSelector: "chaos=yes", gracePeriodSeconds: 0);

        // Assert
        (await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Select(p => p.Metadata.Name).Should().Equal("keep");
    }

    [Fact]
    public async Task Delete_DryRun_KeepsObject()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);

        // Act
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("settings", Ns, dryRun: "All");

        // Assert
        (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Own().Should().ContainSingle();
    }
}
