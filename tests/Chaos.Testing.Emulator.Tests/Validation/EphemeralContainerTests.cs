using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Validation;

/// <summary>The pods/ephemeralcontainers subresource (kubectl debug): append-only, with the fields ephemeral containers may not have.</summary>
public sealed class EphemeralContainerTests : EmulatorTest
{
    private const string Debugger = """{"name":"debugger","image":"busybox:1.36","targetContainerName":"app","stdin":true,"tty":true}""";

    private Task<V1Pod> AddAsync(string containerJson) =>
        Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(
            new V1Patch("""{"spec":{"ephemeralContainers":[""" + containerJson + "]}}", V1Patch.PatchType.StrategicMergePatch), "web", Ns);

    private async Task<V1Status> RejectedAsync(string containerJson) =>
        await ((Func<Task>)(() => AddAsync(containerJson))).ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodReadyAsync(Ns, "web");
    }

    [Fact]
    public async Task Patch_NewEphemeralContainer_AddsItAndItRuns()
    {
        // Act
        var patched = await AddAsync(Debugger);

        // Assert
        patched.Spec.EphemeralContainers.Should().ContainSingle().Which.TargetContainerName.Should().Be("app");
        patched.Spec.Containers.Should().ContainSingle("the regular containers are untouched");
        var running = await Client.WaitForPodAsync(Ns, "web",
            p => p.Status.EphemeralContainerStatuses?.Any(s => s.Name == "debugger" && s.State?.Running is not null) == true,
            "reports the debugger running");
        running.Status.EphemeralContainerStatuses.Should().ContainSingle().Which.Image.Should().Be("busybox:1.36");
        running.IsReady().Should().BeTrue("an ephemeral container does not restart the pod");
    }

    [Fact]
    public async Task Patch_SecondEphemeralContainer_KeepsTheFirst()
    {
        // Arrange
        await AddAsync(Debugger);

        // Act
        var patched = await AddAsync("""{"name":"debugger-2","image":"busybox:1.36"}""");

        // Assert
        patched.Spec.EphemeralContainers.Select(c => c.Name).Should().Equal("debugger", "debugger-2");
    }

    [Fact]
    public async Task Patch_EphemeralContainerWithResources_Answers422()
    {
        // Act
        var status = await RejectedAsync("""{"name":"debugger","image":"busybox:1.36","resources":{"limits":{"cpu":"100m"}}}""");

        // Assert
        status.Reason.Should().Be("Invalid");
        status.Details.Causes.Should().ContainSingle().Which.Field.Should().Be("spec.ephemeralContainers[0].resources");
    }

    [Fact]
    public async Task Patch_EphemeralContainerWithPorts_Answers422()
    {
        // Act
        var status = await RejectedAsync("""{"name":"debugger","image":"busybox:1.36","ports":[{"containerPort":8080}]}""");

        // Assert
        status.Details.Causes.Should().ContainSingle().Which.Should().Match<V1StatusCause>(c => c.Field == "spec.ephemeralContainers[0].ports" && c.Reason == "FieldValueForbidden");
    }

    [Fact]
    public async Task Patch_EphemeralContainerNamedLikeRegularContainer_Answers422Duplicate()
    {
        // Act
        var status = await RejectedAsync("""{"name":"app","image":"busybox:1.36"}""");

        // Assert
        status.Details.Causes.Should().ContainSingle().Which.Should().Match<V1StatusCause>(c => c.Field == "spec.ephemeralContainers[0].name" && c.Reason == "FieldValueDuplicate");
    }

    [Fact]
    public async Task Patch_TwoEphemeralContainersWithOneName_Answers422Duplicate()
    {
        // Arrange
        var patch = """{"spec":{"ephemeralContainers":[{"name":"dbg","image":"a:1"},{"name":"dbg","image":"b:1"}]}}""";

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "web", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().Contain(c => c.Field == "spec.ephemeralContainers[1].name" && c.Reason == "FieldValueDuplicate");
    }

    [Fact]
    public async Task Patch_ChangingExistingEphemeralContainer_Answers422()
    {
        // Arrange
        await AddAsync(Debugger);

        // Act
        var status = await RejectedAsync("""{"name":"debugger","image":"busybox:1.37"}""");

        // Assert
        status.Details.Causes.Should().ContainSingle().Which.Message.Should().Contain("may not be changed");
        (await Client.CoreV1.ReadNamespacedPodAsync("web", Ns)).Spec.EphemeralContainers.Single().Image.Should().Be("busybox:1.36");
    }

    [Fact]
    public async Task Patch_RemovingEphemeralContainer_Answers422()
    {
        // Arrange
        await AddAsync(Debugger);

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(
                new V1Patch("""{"spec":{"ephemeralContainers":[]}}""", V1Patch.PatchType.MergePatch), "web", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle().Which.Message.Should().Contain("may not be removed");
    }

    [Fact]
    public async Task Patch_UnknownTargetContainer_Answers422()
    {
        // Act
        var status = await RejectedAsync("""{"name":"debugger","image":"busybox:1.36","targetContainerName":"nope"}""");

        // Assert
        status.Details.Causes.Should().ContainSingle().Which.Field.Should().Be("spec.ephemeralContainers[0].targetContainerName");
    }

    [Fact]
    public async Task PatchPod_EphemeralContainersThroughMainResource_Answers422()
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.PatchNamespacedPodAsync(
                new V1Patch("""{"spec":{"ephemeralContainers":[""" + Debugger + "]}}", V1Patch.PatchType.StrategicMergePatch), "web", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle().Which.Field.Should().Be("spec");
    }
}
