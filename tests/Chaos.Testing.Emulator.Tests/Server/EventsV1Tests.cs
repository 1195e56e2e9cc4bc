using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>
/// <c>events.k8s.io/v1</c> Events are the stored core events in the newer shape: <c>note</c> is <c>message</c>,
/// <c>regarding</c> is <c>involvedObject</c>, <c>reportingController</c> is <c>reportingComponent</c>, the
/// <c>deprecated*</c> fields are the core event's source, timestamps and count.
/// </summary>
public sealed class EventsV1Tests : EmulatorTest
{
    private static readonly DateTime Observed = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public async Task CreatedThroughEventsV1_ReadsThroughCoreV1_FieldByField()
    {
        // Act
        var created = await Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = Meta("web.1"),
            EventTime = Observed,
            Note = "Scaled up replica set web-1 to 2",
            Reason = "ScalingReplicaSet",
            Type = "Normal",
            Action = "Scale",
            ReportingController = "example.com/scaler",
            ReportingInstance = "scaler-0",
            Regarding = new V1ObjectReference { Kind = "Deployment", Name = "web", NamespaceProperty = Ns, ApiVersion = "apps/v1" },
            Related = new V1ObjectReference { Kind = "ReplicaSet", Name = "web-1", NamespaceProperty = Ns },
            Series = new Eventsv1EventSeries { Count = 3, LastObservedTime = Observed },
            DeprecatedSource = new V1EventSource { Component = "old-scaler", Host = "node-1" },
            DeprecatedCount = 4,
        }, Ns);

        // Assert
        created.ApiVersion.Should().Be("events.k8s.io/v1");
        created.Note.Should().Be("Scaled up replica set web-1 to 2");
        var core = await Client.CoreV1.ReadNamespacedEventAsync("web.1", Ns);
        core.Message.Should().Be("Scaled up replica set web-1 to 2");
        core.InvolvedObject.Name.Should().Be("web");
        core.InvolvedObject.Kind.Should().Be("Deployment");
        core.Related.Name.Should().Be("web-1");
        core.ReportingComponent.Should().Be("example.com/scaler");
        core.ReportingInstance.Should().Be("scaler-0");
        core.Source.Component.Should().Be("old-scaler");
        core.Source.Host.Should().Be("node-1");
        core.Count.Should().Be(4);
        core.Series.Count.Should().Be(3);
        core.Action.Should().Be("Scale");
        core.Reason.Should().Be("ScalingReplicaSet");
        core.Type.Should().Be("Normal");
        core.EventTime.Should().Be(Observed);
    }

    [Fact]
    public async Task CoreEvents_ListAndUpdateThroughEventsV1()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = Meta("web.2"),
            Message = "Back-off restarting failed container",
            Reason = "BackOff",
            Type = "Warning",
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-0", NamespaceProperty = Ns },
            Source = new V1EventSource { Component = "kubelet", Host = "node-2" },
            FirstTimestamp = Observed,
            LastTimestamp = Observed.AddMinutes(1),
            Count = 5,
        }, Ns);

        // Act
        var listed = (await Client.EventsV1.ListNamespacedEventAsync(Ns)).Items.Single(e => e.Metadata.Name == "web.2");
        listed.Note = "changed";
        var replaced = await Client.EventsV1.ReplaceNamespacedEventAsync(listed, "web.2", Ns);
        var patched = await Client.EventsV1.PatchNamespacedEventAsync(new V1Patch("{\"note\":\"patched\"}", V1Patch.PatchType.MergePatch), "web.2", Ns);

        // Assert
        listed.Regarding.Name.Should().Be("web-0");
        listed.DeprecatedSource.Component.Should().Be("kubelet");
        listed.DeprecatedSource.Host.Should().Be("node-2");
        listed.DeprecatedFirstTimestamp.Should().Be(Observed);
        listed.DeprecatedLastTimestamp.Should().Be(Observed.AddMinutes(1));
        listed.DeprecatedCount.Should().Be(5);
        listed.Type.Should().Be("Warning");
        replaced.Note.Should().Be("changed");
        patched.Note.Should().Be("patched");
        patched.DeprecatedCount.Should().Be(5);
        (await Client.CoreV1.ReadNamespacedEventAsync("web.2", Ns)).Message.Should().Be("patched");
        await Client.EventsV1.DeleteNamespacedEventAsync("web.2", Ns);
        (await Client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "metadata.name=web.2")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task ListThroughEventsV1_PagesWithLimitAndContinue()
    {
        // Arrange
        foreach (var name in new[] { "a.1", "b.1", "c.1" })
        {
            await Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = Meta(name),
                Message = name,
                InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-0", NamespaceProperty = Ns },
            }, Ns);
        }

        // Act
        var first = await Client.EventsV1.ListNamespacedEventAsync(Ns, limit: 2);
        var second = await Client.EventsV1.ListNamespacedEventAsync(Ns, limit: 2, continueParameter: first.Metadata.ContinueProperty);

        // Assert
        first.Items.Select(e => e.Note).Should().Equal("a.1", "b.1");
        first.Metadata.RemainingItemCount.Should().Be(1);
        second.Items.Select(e => e.Note).Should().Equal("c.1");
        second.Metadata.ContinueProperty.Should().BeNull();
    }

    [Fact]
    public async Task WatchThroughEventsV1_SeesCoreEventsInTheNewShape()
    {
        // Arrange
        await using var watch = WatchRecorder.Start<Eventsv1Event>((onError, ct) =>
            Client.EventsV1.WatchListNamespacedEventAsync(Ns, onError: onError, cancellationToken: ct));

        // Act
        await Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = Meta("web.3"),
            Message = "Pulled image",
            Reason = "Pulled",
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1", NamespaceProperty = Ns },
        }, Ns);

        // Assert
        await watch.WaitForAsync(
            (type, e) => type == WatchEventType.Added && e.Note == "Pulled image" && e.Regarding?.Name == "web-1" && e.ApiVersion == "events.k8s.io/v1",
            "ADDED web.3 as events.k8s.io/v1");
    }

    [Fact]
    public async Task Discovery_ListsEventsK8sIo()
    {
        // Act
        var resources = await Client.EventsV1.GetAPIResourcesAsync();

        // Assert
        resources.GroupVersion.Should().Be("events.k8s.io/v1");
        resources.Resources.Should().ContainSingle(r => r.Name == "events").Which.Verbs.Should().Contain(["create", "list", "watch", "patch"]);
    }
}
