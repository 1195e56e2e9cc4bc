using System.Globalization;
using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>PUT with optimistic concurrency on resourceVersion.</summary>
public sealed class UpdateTests : EmulatorTest
{
    private static long Version(V1ConfigMap obj) => long.Parse(obj.Metadata.ResourceVersion, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Replace_StaleResourceVersion_Answers409Conflict()
    {
        // Arrange: two clients read the same version; the first one writes
        var mine = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        var theirs = await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
        theirs.Data["key"] = "theirs";
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(theirs, "settings", Ns);
        mine.Data["key"] = "mine";

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.ReplaceNamespacedConfigMapAsync(mine, "settings", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.Conflict);

        // Assert
        status.Reason.Should().Be("Conflict");
        status.Message.Should().Contain("the object has been modified");
        (await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns)).Data["key"].Should().Be("theirs", "the stale write must not land");
    }

    [Fact]
    public async Task Replace_FreshResourceVersion_SucceedsAndBumpsVersion()
    {
        // Arrange
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        var fresh = await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
        fresh.Data["key"] = "changed";

        // Act
        var updated = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(fresh, "settings", Ns);

        // Assert
        Version(updated).Should().BeGreaterThan(Version(created));
        updated.Data["key"].Should().Be("changed");
        updated.Metadata.Uid.Should().Be(created.Metadata.Uid);
        updated.Metadata.CreationTimestamp.Should().Be(created.Metadata.CreationTimestamp);
        (await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns)).Metadata.ResourceVersion.Should().Be(updated.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Replace_WithoutResourceVersion_IsUnconditional()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        var blind = ConfigMap("settings", data: new Dictionary<string, string> { ["key"] = "blind" });

        // Act
        var updated = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(blind, "settings", Ns);

        // Assert
        updated.Data["key"].Should().Be("blind");
    }

    [Fact]
    public async Task Replace_DeploymentSpec_BumpsGenerationButNotForLabels()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), Ns);

        // Act
        var scaled = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), "web", Ns);
        var labelled = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"metadata":{"labels":{"tier":"front"}}}""", V1Patch.PatchType.MergePatch), "web", Ns);

        // Assert
        scaled.Metadata.Generation.Should().Be(2);
        labelled.Metadata.Generation.Should().Be(2);
    }

    [Fact]
    public async Task Replace_DeploymentSelector_Answers422Immutable()
    {
        // Arrange
        var deployment = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), Ns);
        deployment.Spec.Selector.MatchLabels["extra"] = "x";
        deployment.Spec.Template.Metadata.Labels["extra"] = "x";

        // Act
        var status = await ((Func<Task>)(() => Client.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, "web", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle(c => c.Field == "spec.selector").Which.Message.Should().Contain("immutable");
    }

    [Fact]
    public async Task Replace_NameDifferentFromUrl_Answers400()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.ReplaceNamespacedConfigMapAsync(ConfigMap("other"), "settings", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.BadRequest);

        // Assert
        status.Message.Should().Contain("does not match");
    }

    [Fact]
    public async Task Replace_PodStatusThroughMainResource_IsIgnored()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("web", Ns);
        pod.Status.Phase = "Succeeded";
        pod.Metadata.Labels = Labels(("tier", "front"));
        pod.Metadata.ResourceVersion = null;

        // Act
        var updated = await Client.CoreV1.ReplaceNamespacedPodAsync(pod, "web", Ns);

        // Assert
        updated.Metadata.Labels.Should().Contain("tier", "front");
        updated.Status.Phase.Should().Be("Pending", "status changes only through the status subresource");
    }
}
