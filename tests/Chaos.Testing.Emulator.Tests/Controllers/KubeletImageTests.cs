using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The kubelet's reaction to container image changes, and the one probe the emulator evaluates (pause images).</summary>
public sealed class KubeletImageTests : EmulatorTest
{
    [Fact]
    public async Task ImageChangedTwice_RestartsTheContainerEachTime_AndEndsReady()
    {
        // Arrange: a running pod with a readiness probe (a pause image cannot pass it)
        var manifest = Pod("web");
        manifest.Spec.Containers[0].ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080 } };
        await Client.CoreV1.CreateNamespacedPodAsync(manifest, Ns);
        await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns), p => p.IsReady(), "web is ready");
        var original = manifest.Spec.Containers[0].Image;

        // Act: the second change comes while the pod is unready from the first (what the pod-failure fault does). The
        // kubelet is given time to see the first change: two changes before its next sync may be coalesced into one restart.
        await SetImageAsync("rancher/mirrored-pause:3.6");
        await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync("web", Ns),
            p => p.Status.ContainerStatuses[0].RestartCount == 1 && !p.IsReady(),
            "the kubelet restarted the container for the first change, and the pause container is unready");
        await SetImageAsync(original);

        // Assert
        var pod = await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync("web", Ns),
            p => p.IsReady() && p.Status.ContainerStatuses[0].Image == original,
            "web runs its original image again and is ready");
        pod.Status.ContainerStatuses[0].RestartCount.Should().Be(2, "each image change the kubelet saw restarted the container");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task ImageChangedTwiceBeforeTheNextSync_EndsReadyOnTheLastImage()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns), p => p.IsReady(), "web is ready");

        // Act: back to back, so a kubelet may see both, one, or (when the second restores the first) neither
        await SetImageAsync("example/other:2");
        await SetImageAsync("example/other:3");

        // Assert: what a kubelet guarantees is the end state, not the number of intermediate restarts
        var pod = await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync("web", Ns),
            p => p.IsReady() && p.Status.ContainerStatuses[0].Image == "example/other:3",
            "web runs the last image and is ready");
        pod.Status.ContainerStatuses[0].RestartCount.Should().BeInRange(1, 2, "the last image differs from the first, so at least one restart ran");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task PauseImageWithReadinessProbe_NeverBecomesReady_UntilTheImageIsBack()
    {
        // Arrange
        var manifest = Pod("web");
        manifest.Spec.Containers[0].ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080 } };
        await Client.CoreV1.CreateNamespacedPodAsync(manifest, Ns);
        await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns), p => p.IsReady(), "web is ready");
        var original = manifest.Spec.Containers[0].Image;

        // Act
        await SetImageAsync("rancher/mirrored-pause:3.6");
        await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns), p => p.Status.ContainerStatuses[0].RestartCount == 1, "the container restarted");
        await Task.Delay(Cluster.Options.PodReadyDelay * 10);

        // Assert
        (await Client.CoreV1.ReadNamespacedPodAsync("web", Ns)).IsReady().Should().BeFalse("a pause container cannot answer its readiness probe");
        await SetImageAsync(original);
        await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns), p => p.IsReady(), "web is ready again");
    }

    // A patch, as kubectl set image sends: a read-then-replace would race the kubelet's status writes (409 Conflict).
    private Task<V1Pod> SetImageAsync(string image) =>
        Client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch($$"""[{"op":"replace","path":"/spec/containers/0/image","value":"{{image}}"}]""", V1Patch.PatchType.JsonPatch), "web", Ns);
}
