using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>The status subresource changes status only; the main resource changes everything but status.</summary>
public sealed class StatusSubresourceTests : EmulatorTest
{
    [Fact]
    public async Task PatchServiceStatus_WithSpecAndLabels_ChangesOnlyStatus()
    {
        // Arrange
        var created = await Client.CoreV1.CreateNamespacedServiceAsync(Service("web", "web"), Ns);
        var patch = """
            {"metadata":{"labels":{"sneaky":"yes"}},
             "spec":{"type":"NodePort"},
             "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.99"}]}}}
            """;

        // Act
        var patched = await Client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "web", Ns);

        // Assert
        patched.Status.LoadBalancer.Ingress.Should().ContainSingle().Which.Ip.Should().Be("192.0.2.99");
        patched.Spec.Type.Should().Be("ClusterIP");
        patched.Metadata.Labels.Should().BeNull();
        var read = await Client.CoreV1.ReadNamespacedServiceAsync("web", Ns);
        read.Status.LoadBalancer.Ingress.Should().ContainSingle();
        read.Spec.ClusterIP.Should().Be(created.Spec.ClusterIP);
    }

    [Fact]
    public async Task ReplacePodStatus_WithChangedLabels_ChangesOnlyStatus()
    {
        // Arrange: an unschedulable pod, once the scheduler has said so, changes no more
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web", Labels(("app", "web"))), Ns);
        var pod = await Client.WaitForPodAsync(Ns, "web",
            p => p.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "Unschedulable") == true, "is marked Unschedulable");
        pod.Metadata.Labels["app"] = "changed";
        pod.Status.Conditions.Add(new V1PodCondition { Type = "example.com/Chaos", Status = "True", Reason = "Injected" });

        // Act
        var updated = await Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, "web", Ns);

        // Assert
        updated.Status.Conditions.Should().Contain(c => c.Type == "example.com/Chaos" && c.Status == "True");
        updated.Metadata.Labels["app"].Should().Be("web");
        (await Client.CoreV1.ReadNamespacedPodAsync("web", Ns)).Status.Conditions.Should().Contain(c => c.Type == "example.com/Chaos");
    }

    [Fact]
    public async Task ReplacePodStatus_StaleResourceVersion_Answers409()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        var stale = await Client.CoreV1.ReadNamespacedPodAsync("web", Ns);
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "web", Ns);
        stale.Status.Message = "stale";

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.ReplaceNamespacedPodStatusAsync(stale, "web", Ns))).ShouldFailWithAsync(System.Net.HttpStatusCode.Conflict);

        // Assert
        status.Reason.Should().Be("Conflict");
    }

    [Fact]
    public async Task ReplaceDeploymentStatus_WithChangedReplicas_KeepsSpec()
    {
        // Arrange
        var deployment = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), Ns);
        deployment.Spec.Replicas = 5;
        deployment.Status = new V1DeploymentStatus { ObservedGeneration = 41, Replicas = 7 };
        deployment.Metadata.ResourceVersion = null;

        // Act
        var updated = await Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(deployment, "web", Ns);

        // Assert
        updated.Spec.Replicas.Should().Be(1, "the status subresource ignores spec");
        updated.Status.ObservedGeneration.Should().Be(41);
        updated.Metadata.Generation.Should().Be(1, "a status write is not a new generation");
        (await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns)).Spec.Replicas.Should().Be(1);
    }

    [Fact]
    public async Task ReadPodStatus_ExistingPod_ReturnsTheWholePod()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);

        // Act
        var pod = await Client.CoreV1.ReadNamespacedPodStatusAsync("web", Ns);

        // Assert
        pod.Metadata.Name.Should().Be("web");
        pod.Status.Phase.Should().Be("Pending");
    }

    [Fact]
    public async Task ReplaceNamespaceFinalize_EmptyFinalizers_UpdatesSpec()
    {
        // Arrange
        var ns = await Client.CoreV1.ReadNamespaceAsync(Ns);
        ns.Spec.Finalizers = [];

        // Act
        var finalized = await Client.CoreV1.ReplaceNamespaceFinalizeAsync(ns, Ns);

        // Assert
        finalized.Spec.Finalizers.Should().BeNullOrEmpty();
    }
}
