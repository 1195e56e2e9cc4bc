using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>
/// <see cref="EmulatorTiming.Realistic"/> on a fake clock: each figure is pinned between a moment just before it (not
/// yet, which no load can change, since the clock only moves when the test moves it) and the moment itself (then).
/// </summary>
public sealed class RealisticTimingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Pod_PullsAnImageTheNodeLacks_ThenIsReadyAtItsFirstProbeAfterTheInitialDelay()
    {
        // Arrange
        var time = new FakeTimeProvider(T0);
        await using var cluster = await StartAsync(time);
        var web = Pod("web");
        web.Spec.NodeName = "node-1";
        web.Spec.Containers[0].ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/", Port = 8080 }, InitialDelaySeconds = 10, PeriodSeconds = 4 };

        // Act + Assert: 1 s sandbox + 5 s pull + 1 s start; probes at 0, 4, 8, 12 s: the one at 12 s is the first after 10 s
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(web, "default");
        await WaitForPodAsync(cluster, "web", p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "ContainerCreating", "web is ContainerCreating");
        await StepAsync(cluster, time, "web", TimeSpan.FromSeconds(7), p => p.Status.Phase == "Running", "web runs 7 s after creation");
        (await cluster.Client.CoreV1.ReadNamespacedPodAsync("web", "default")).Status.ContainerStatuses[0].State.Running.StartedAt.Should().Be(T0.AddSeconds(7).UtcDateTime);
        await StepAsync(cluster, time, "web", TimeSpan.FromSeconds(12), ClusterWaits.IsReady, "web is Ready 12 s after it started");

        // A second pod on the node finds the image there: 1 s sandbox + 1 s start, and Ready at once without a probe.
        var cached = Pod("cached");
        cached.Spec.NodeName = "node-1";
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(cached, "default");
        await WaitForPodAsync(cluster, "cached", p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "ContainerCreating", "cached is ContainerCreating");
        await StepAsync(cluster, time, "cached", TimeSpan.FromSeconds(2), ClusterWaits.IsReady, "cached is Ready 2 s after creation");
        cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Delete_WithGracePeriod30_AServerGoesAfter2s_ASleepAsPid1StaysTerminatingFor30s()
    {
        // Arrange
        var time = new FakeTimeProvider(T0);
        await using var cluster = await StartAsync(time);
        foreach (var (name, command) in new[] { ("server", (IList<string>?)null), ("sleeper", new List<string> { "sleep", "3600" }) })
        {
            var pod = Pod(name);
            pod.Spec.NodeName = "node-1";
            pod.Spec.TerminationGracePeriodSeconds = 30;
            pod.Spec.Containers[0].Command = command;
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
            await WaitForPodAsync(cluster, name, p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "ContainerCreating", $"{name} is ContainerCreating");
        }

        time.Advance(TimeSpan.FromSeconds(7));
        await WaitForPodAsync(cluster, "server", ClusterWaits.IsReady, "server is Ready");
        await WaitForPodAsync(cluster, "sleeper", ClusterWaits.IsReady, "sleeper is Ready");

        // Act
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("server", "default");
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("sleeper", "default");
        await WaitForPodAsync(cluster, "server", p => p.Metadata.DeletionTimestamp is not null && !p.IsReady(), "server is terminating and unready");
        await WaitForPodAsync(cluster, "sleeper", p => p.Metadata.DeletionTimestamp is not null && !p.IsReady(), "sleeper is terminating and unready");

        // Assert: SIGTERM handled, the server exits after 2 s; sleep as PID 1 ignores it and is killed at 30 s
        await StepToGoneAsync(cluster, time, "server", TimeSpan.FromSeconds(2));
        (await cluster.Client.CoreV1.ReadNamespacedPodAsync("sleeper", "default")).Metadata.DeletionTimestamp.Should().NotBeNull("sleep ignores SIGTERM");
        await StepToGoneAsync(cluster, time, "sleeper", TimeSpan.FromSeconds(28));
        cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Rollout_MaxSurge1MaxUnavailable0_NeverFewerThan4ReadyNorMoreThan5Pods()
    {
        // Arrange
        var time = new FakeTimeProvider(T0);
        await using var cluster = await StartAsync(time);
        var client = cluster.Client;
        var deployment = Deployment("web", 4);
        deployment.Spec.MinReadySeconds = 3;
        deployment.Spec.Strategy = new V1DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = "1", MaxUnavailable = "0" },
        };
        await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default");
        await DriveAsync(time, async () => (await client.AppsV1.ReadNamespacedDeploymentAsync("web", "default")).Status?.AvailableReplicas == 4, "4 available pods");
        var start = await client.CoreV1.ListNamespacedPodAsync("default");
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: start.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));

        // Act
        await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", "default");
        await DriveAsync(time, async () => (await client.AppsV1.ReadNamespacedDeploymentAsync("web", "default")).Status is { ObservedGeneration: 2, UpdatedReplicas: 4, AvailableReplicas: 4, Replicas: 4 },
            "the rollout completes");
        await Eventually.UntilAsync(() => Replay(start.Items, watch.Events).Last().Count(p => p.Ready && p.Image == "nginx:1.26") == 4, "the watch saw 4 ready new pods");

        // Assert: pods counted as a client sees them, after every single change
        var states = Replay(start.Items, watch.Events);
        states.Min(s => s.Count(p => p.Ready)).Should().BeGreaterThanOrEqualTo(4, "maxUnavailable 0: an old pod goes only once a new one is available");
        states.Max(s => s.Count).Should().Be(5, "maxSurge 1: one pod above the 4 replicas, and the surge was used");
        states.Last().Should().OnlyContain(p => p.Image == "nginx:1.26");
        cluster.ControllerError.Should().BeNull();
    }

    private static Task<KubernetesEmulator> StartAsync(FakeTimeProvider time) =>
        KubernetesEmulator.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.Timing = EmulatorTiming.Realistic;
        });

    // The pods that are not terminating after each watch event, from the listed ones on.
    private static List<List<(string Name, bool Ready, string Image)>> Replay(IEnumerable<V1Pod> listed, IEnumerable<(WatchEventType Type, V1Pod Pod)> events)
    {
        var pods = listed.ToDictionary(p => p.Metadata.Name, StringComparer.Ordinal);
        var states = new List<List<(string, bool, string)>>();
        foreach (var (type, pod) in events.Prepend((WatchEventType.Bookmark, new V1Pod())))
        {
            if (type == WatchEventType.Deleted)
            {
                pods.Remove(pod.Metadata.Name);
            }
            else if (type is WatchEventType.Added or WatchEventType.Modified)
            {
                pods[pod.Metadata.Name] = pod;
            }

            states.Add(pods.Values.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => (p.Metadata.Name, p.IsReady(), p.Spec.Containers[0].Image)).ToList());
        }

        return states;
    }

    // Moves the clock a tick short of `after`: the pod must not be there yet; then the last tick: it must be, without more time.
    private static async Task StepAsync(KubernetesEmulator cluster, FakeTimeProvider time, string name, TimeSpan after, Func<V1Pod, bool> reached, string description)
    {
        time.Advance(after - Tick);
        (await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, "default")).Should().Match<V1Pod>(p => !reached(p), $"not yet: {description}");
        time.Advance(Tick);
        await WaitForPodAsync(cluster, name, reached, description);
    }

    private static async Task StepToGoneAsync(KubernetesEmulator cluster, FakeTimeProvider time, string name, TimeSpan after)
    {
        time.Advance(after - Tick);
        (await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, "default")).Metadata.DeletionTimestamp.Should().NotBeNull($"{name} is still terminating a tick before {after}");
        time.Advance(Tick);
        await Eventually.GoneAsync(() => cluster.Client.CoreV1.ReadNamespacedPodAsync(name, "default"), $"{name} is gone {after} after its deletion");
    }

    private static Task<V1Pod> WaitForPodAsync(KubernetesEmulator cluster, string name, Func<V1Pod, bool> accept, string description) =>
        Eventually.MatchAsync(() => cluster.Client.CoreV1.ReadNamespacedPodAsync(name, "default"), accept, description);

    // Half a second of the clock per step until done; the order of events, not their pace, is what is checked.
    private static async Task DriveAsync(FakeTimeProvider time, Func<Task<bool>> done, string description)
    {
        for (var step = 0; step < 600; step++)
        {
            if (await done())
            {
                return;
            }

            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        await Eventually.UntilAsync(done, description);
    }
}
