using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The controllers' delays and wake-ups, on clocks whose timers are not exactly punctual.</summary>
public sealed class ControllerTimingTests
{
    [Fact]
    public async Task Pod_TimersFiringBeforeTheirDueTime_StillStartsAndBecomesReady()
    {
        // Arrange: System.Threading.Timer truncates due times to whole milliseconds, so it often fires a fraction of
        // a millisecond early; a controller must then re-arm rather than wait for a change that never comes.
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.TimeProvider = EarlyTimeProvider.Instance);

        // Act
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");

        // Assert
        await cluster.Client.WaitForPodReadyAsync("default", "web");
        cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Pod_WithConfiguredDelays_TakesAtLeastThemToBecomeReady()
    {
        // Arrange
        await using var cluster = await KubernetesEmulator.StartAsync(o =>
        {
            o.PodStartDelay = TimeSpan.FromMilliseconds(150);
            o.PodReadyDelay = TimeSpan.FromMilliseconds(150);
        });
        var started = System.Diagnostics.Stopwatch.StartNew();

        // Act
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");
        await cluster.Client.WaitForPodReadyAsync("default", "web");

        // Assert
        started.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
    }
}
