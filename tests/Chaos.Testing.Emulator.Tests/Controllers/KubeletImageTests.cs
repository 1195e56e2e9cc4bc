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
        // Arrange: a running pod without a readiness probe
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns), p => p.IsReady(), "web is ready");
        var original = (await Client.CoreV1.ReadNamespacedPodAsync("web", Ns)).Spec.Containers[0].Image;

        // Act: two image changes, the second while the pod is still unready from the first (found by the pod-failure fault)
        await SetImageAsync("example/other:2");
        await SetImageAsync(original);

        // Assert
        var pod = await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync("web", Ns),
            p => p.IsReady() && p.Status.ContainerStatuses[0].Image == original,
            "web runs its original image again and is ready");
        pod.Status.ContainerStatuses[0].RestartCount.Should().Be(2);
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

    private async Task SetImageAsync(string image)
    {
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("web", Ns);
        pod.Spec.Containers[0].Image = image;
        await Client.CoreV1.ReplaceNamespacedPodAsync(pod, "web", Ns);
    }
}
