using System.Net;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>watch=true streams: live events, resumption, 410 Expired and filtered watches.</summary>
public sealed class WatchTests : EmulatorTest
{
    private static string Rv(IKubernetesObject<V1ObjectMeta> obj) => obj.Metadata.ResourceVersion;

    private WatchRecorder<V1ConfigMap> WatchConfigMaps(string? labelSelector = null, string? fieldSelector = null, string? resourceVersion = null) =>
        WatchRecorder.Start<V1ConfigMap>((onError, ct) => Client.CoreV1.WatchListNamespacedConfigMapAsync(
            Ns, labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: resourceVersion, onError: onError, cancellationToken: ct));

    /// <summary>Opens a pod watch and returns once it is registered: the initial ADDED of a sentinel pod has arrived.</summary>
    private async Task<WatchRecorder<V1Pod>> WatchPodsFromNowAsync()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("sentinel"), Ns);
        var watch = WatchRecorder.Start<V1Pod>((onError, ct) => Client.CoreV1.WatchListNamespacedPodAsync(Ns, onError: onError, cancellationToken: ct));
        await watch.WaitForAsync((type, pod) => type == WatchEventType.Added && pod.Metadata.Name == "sentinel", "the initial ADDED of the sentinel");
        return watch;
    }

    [Fact]
    public async Task Watch_OpenedBeforeChanges_SeesAddedModifiedDeleted()
    {
        // Arrange
        await using var watch = await WatchPodsFromNowAsync();

        // Act
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"step":"2"}}}""", V1Patch.PatchType.MergePatch), "web", Ns);
        await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns, gracePeriodSeconds: 0);

        // Assert
        await watch.WaitForAsync((type, pod) => type == WatchEventType.Deleted && pod.Metadata.Name == "web", "DELETED web");
        var events = watch.Events.Where(e => e.Object.Metadata.Name == "web").ToList();
        events[0].Type.Should().Be(WatchEventType.Added);
        events[0].Object.Metadata.Name.Should().Be("web");
        events.Should().Contain(e => e.Type == WatchEventType.Modified && e.Object.Metadata.Labels != null && e.Object.Metadata.Labels["step"] == "2");
        events[^1].Type.Should().Be(WatchEventType.Deleted);
        events.Select(e => long.Parse(Rv(e.Object), System.Globalization.CultureInfo.InvariantCulture)).Should().BeInAscendingOrder();
        watch.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task Watch_ResponseWatcherFromListVersion_SeesModifiedThenDeleted()
    {
        // Arrange: list, then watch from the list's version with the client's response-based Watcher
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        var list = await Client.CoreV1.ListNamespacedPodAsync(Ns);
        var seen = new List<(WatchEventType Type, string Name)>();
#pragma warning disable CS0618 // Watch<T, L> on a watch=true response is still how many callers use the client.
        using var watcher = Client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(Ns, resourceVersion: list.Metadata.ResourceVersion, watch: true)
            .Watch<V1Pod, V1PodList>((type, pod) =>
            {
                lock (seen)
                {
                    seen.Add((type, pod.Metadata.Name));
                }
            });
#pragma warning restore CS0618

        // Act
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"step":"2"}}}""", V1Patch.PatchType.MergePatch), "web", Ns);
        await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns, gracePeriodSeconds: 0);

        // Assert
        await Eventually.UntilAsync(
            () =>
            {
                lock (seen)
                {
                    return seen.Any(e => e.Type == WatchEventType.Deleted);
                }
            },
            "the watcher sees DELETED web");
        lock (seen)
        {
            seen.Should().StartWith((WatchEventType.Modified, "web")).And.EndWith((WatchEventType.Deleted, "web"));
            seen.Should().NotContain(e => e.Type == WatchEventType.Added, "the pod existed at the listed version");
        }
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_StartsWithExistingObjectsAsAdded()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), Ns);

        // Act
        await using var watch = WatchConfigMaps();

        // Assert
        await watch.WaitForAsync((type, cm) => cm.Metadata.Name == "b", "ADDED b");
        watch.Events.Where(e => e.Object.Metadata.Name != SystemObjects.RootCaConfigMap).Select(e => (e.Type, e.Object.Metadata.Name))
            .Should().Equal((WatchEventType.Added, "a"), (WatchEventType.Added, "b"));
    }

    [Fact]
    public async Task Watch_ResumedFromOlderResourceVersion_ReplaysLaterChangesInOrder()
    {
        // Arrange
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        var modified = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"key":"v2"}}""", V1Patch.PatchType.MergePatch), "settings", Ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("settings", Ns);

        // Act
        await using var watch = WatchConfigMaps(resourceVersion: Rv(created));

        // Assert
        await watch.WaitForAsync((type, _) => type == WatchEventType.Deleted, "the replayed DELETED");
        var own = watch.Events.Where(e => e.Object.Metadata.Name == "settings").ToList();
        own.Select(e => e.Type).Should().Equal(WatchEventType.Modified, WatchEventType.Deleted);
        own[0].Object.Data["key"].Should().Be("v2");
        Rv(own[0].Object).Should().Be(Rv(modified));
    }

    [Fact]
    public async Task Watch_ResumedFromCurrentResourceVersion_SeesOnlyNewChanges()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("old"), Ns);
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(Ns);
        await using var watch = WatchConfigMaps(resourceVersion: list.Metadata.ResourceVersion);

        // Act
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("new"), Ns);

        // Assert
        await watch.WaitForAsync((_, cm) => cm.Metadata.Name == "new", "ADDED new");
        watch.Events.Select(e => e.Object.Metadata.Name).Should().Equal("new");
    }

    [Fact]
    public async Task Watch_ResumedFromCompactedResourceVersion_ReportsExpired410()
    {
        // Arrange: a history of 16 changes, then more than 16 changes after the version we resume from
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.WatchHistorySize = 16);
        var client = cluster.Client;
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("counter"), "default");
        for (var i = 0; i < 20; i++)
        {
            await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch($$$"""{"data":{"key":"{{{i}}}"}}""", V1Patch.PatchType.MergePatch), "counter", "default");
        }

        // Act
        await using var watch = WatchRecorder.Start<V1ConfigMap>((onError, ct) =>
            client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: Rv(first), onError: onError, cancellationToken: ct));

        // Assert
        var error = await watch.WaitForErrorAsync("a 410 Expired error");
        var status = error.Should().BeOfType<KubernetesException>().Which.Status;
        status.Code.Should().Be(410);
        status.Reason.Should().Be("Expired");
        status.Message.Should().Contain("too old resource version");
        await Eventually.UntilAsync(() => watch.Closed, "the server ends the expired watch");
        watch.Events.Should().BeEmpty("nothing may be replayed from a compacted history");
    }

    [Fact]
    public async Task Watch_CallbackWatcher_ReportsExpired410ToOnError()
    {
        // Arrange
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.WatchHistorySize = 16);
        var client = cluster.Client;
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("counter"), "default");
        for (var i = 0; i < 20; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"filler-{i}"), "default");
        }

        var errors = new List<Exception>();
        var closed = false;

        // Act
        using var watcher = client.CoreV1.WatchListNamespacedConfigMap(
            "default",
            resourceVersion: Rv(first),
            onEvent: (_, _) => { },
            onError: ex =>
            {
                lock (errors)
                {
                    errors.Add(ex);
                }
            },
            onClosed: () => Volatile.Write(ref closed, true));

        // Assert
        await Eventually.UntilAsync(() => Volatile.Read(ref closed), "the watcher is closed by the server");
        lock (errors)
        {
            errors.Should().ContainSingle().Which.Should().BeOfType<KubernetesException>().Which.Status.Code.Should().Be(410);
        }
    }

    [Fact]
    public async Task Watch_ResumedFromInvalidResourceVersion_Answers400()
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(Ns, resourceVersion: "abc", watch: true)))
            .ShouldFailWithAsync(HttpStatusCode.BadRequest);

        // Assert
        status.Message.Should().Contain("abc");
    }

    [Fact]
    public async Task Watch_LabelSelector_ReportsObjectLeavingSelectorAsDeleted()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("web-settings", Labels(("app", "web"))), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("db-settings", Labels(("app", "db"))), Ns);
        await using var watch = WatchConfigMaps(labelSelector: "app=web");
        await watch.WaitForAsync((type, cm) => type == WatchEventType.Added && cm.Metadata.Name == "web-settings", "ADDED web-settings");

        // Act
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"other"}}}""", V1Patch.PatchType.MergePatch), "web-settings", Ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"web"}}}""", V1Patch.PatchType.MergePatch), "db-settings", Ns);

        // Assert
        var left = await watch.WaitForAsync((type, cm) => type == WatchEventType.Deleted && cm.Metadata.Name == "web-settings", "DELETED web-settings (it left the selector)");
        left.Object.Metadata.Labels["app"].Should().Be("other", "the DELETED event carries the object as it is now");
        await watch.WaitForAsync((type, cm) => type == WatchEventType.Added && cm.Metadata.Name == "db-settings", "ADDED db-settings (it entered the selector)");
        watch.Events.Select(e => (e.Type, e.Object.Metadata.Name)).Should().Equal(
            (WatchEventType.Added, "web-settings"),
            (WatchEventType.Deleted, "web-settings"),
            (WatchEventType.Added, "db-settings"));
        (await Client.CoreV1.ReadNamespacedConfigMapAsync("web-settings", Ns)).Should().NotBeNull("leaving a selector is not a deletion");
    }

    [Fact]
    public async Task Watch_FieldSelectorOnName_SeesOnlyThatObject()
    {
        // Arrange
        await using var watch = WatchConfigMaps(fieldSelector: "metadata.name=target");

        // Act
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("other"), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("target"), Ns);

        // Assert
        await watch.WaitForAsync((_, cm) => cm.Metadata.Name == "target", "ADDED target");
        watch.Events.Select(e => e.Object.Metadata.Name).Should().Equal("target");
    }

    [Fact]
    public async Task Watch_OtherNamespace_IsNotSeen()
    {
        // Arrange
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("other") });
        await using var watch = WatchConfigMaps();

        // Act
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("elsewhere"), "other");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("here"), Ns);

        // Assert
        await watch.WaitForAsync((_, cm) => cm.Metadata.Name == "here", "ADDED here");
        watch.Events.Select(e => e.Object.Metadata.Name).Where(n => n != SystemObjects.RootCaConfigMap).Should().Equal("here");
    }

    [Fact]
    public async Task Watch_GracefullyDeletedPod_EndsWithDeleted()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        var ready = await Client.WaitForPodReadyAsync(Ns, "web");
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync(Ns, fieldSelector: "metadata.name=web", resourceVersion: Rv(ready), onError: onError, cancellationToken: ct));

        // Act
        await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns);

        // Assert
        await watch.WaitForAsync((type, _) => type == WatchEventType.Deleted, "DELETED web");
        watch.Events.Should().Contain(e => e.Type == WatchEventType.Modified && e.Object.Metadata.DeletionTimestamp != null,
            "the pod is first marked for deletion");
    }

    [Fact]
    public async Task RawWatch_WithNothingToSend_AnswersHeadersAtOnce()
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // Act
        using var response = await http.GetAsync(new Uri($"/api/v1/namespaces/{Ns}/configmaps?watch=true", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
    }

    [Fact]
    public async Task RawWatch_CompactedResourceVersion_StreamsOneErrorEventAndEnds()
    {
        // Arrange
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.WatchHistorySize = 16);
        for (var i = 0; i < 20; i++)
        {
            await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"filler-{i}"), "default");
        }

        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        // Act
        var body = await http.GetStringAsync(new Uri("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2", UriKind.Relative));

        // Assert
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle();
        var error = System.Text.Json.Nodes.JsonNode.Parse(lines[0])!;
        error["type"]!.GetValue<string>().Should().Be("ERROR");
        error["object"]!["kind"]!.GetValue<string>().Should().Be("Status");
        error["object"]!["code"]!.GetValue<int>().Should().Be(410);
        error["object"]!["reason"]!.GetValue<string>().Should().Be("Expired");
    }
}
