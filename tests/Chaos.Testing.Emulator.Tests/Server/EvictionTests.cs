using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>The pods/eviction subresource and PodDisruptionBudgets.</summary>
public sealed class EvictionTests : EmulatorTest
{
    private static V1Eviction Eviction(string pod) => new() { Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = Ns } };

    private async Task<HttpStatusCode> EvictAsync(string pod)
    {
        using var response = await Client.CoreV1.CreateNamespacedPodEvictionWithHttpMessagesAsync(Eviction(pod), pod, Ns);
        return response.Response.StatusCode;
    }

    [Fact]
    public async Task Evict_PodWithoutBudget_Answers201AndThePodGoes()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodReadyAsync(Ns, "web");

        // Act
        var code = await EvictAsync("web");

        // Assert
        code.Should().Be(HttpStatusCode.Created);
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns), "the evicted pod");
    }

    [Fact]
    public async Task Evict_MissingPod_Answers404()
    {
        // Act
        var status = await ((Func<Task>)(() => EvictAsync("ghost"))).ShouldFailWithAsync(HttpStatusCode.NotFound);

        // Assert
        status.Details.Name.Should().Be("ghost");
    }

    [Fact]
    public async Task Evict_BudgetAtMinimum_Answers429AndKeepsThePod()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), Ns);
        await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(DisruptionBudget("web", "web", 3), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        var victim = (await Client.ActivePodsAsync(Ns, "app=web"))[0].Metadata.Name;

        // Act
        var status = await ((Func<Task>)(() => EvictAsync(victim))).ShouldFailWithAsync(HttpStatusCode.TooManyRequests);

        // Assert
        status.Reason.Should().Be("TooManyRequests");
        status.Message.Should().Contain("disruption budget");
        status.Details.Causes.Should().ContainSingle().Which.Reason.Should().Be("DisruptionBudget");
        (await Client.CoreV1.ReadNamespacedPodAsync(victim, Ns)).Metadata.DeletionTimestamp.Should().BeNull();
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Evict_AfterScalingAboveBudget_Succeeds()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), Ns);
        await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(DisruptionBudget("web", "web", 3), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        var victim = (await Client.ActivePodsAsync(Ns, "app=web"))[0].Metadata.Name;
        await ((Func<Task>)(() => EvictAsync(victim))).ShouldFailWithAsync(HttpStatusCode.TooManyRequests);
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":4}}""", V1Patch.PatchType.MergePatch), "web", Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 4);

        // Act
        var code = await EvictAsync(victim);

        // Assert
        code.Should().Be(HttpStatusCode.Created);
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync(victim, Ns), "the evicted pod");
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 4);
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Budget_Status_ReportsHealthyAndAllowedDisruptions()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), Ns);

        // Act
        await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(DisruptionBudget("web", "web", 2), Ns);

        // Assert
        var budget = await Eventually.MatchAsync(
            () => Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", Ns),
            b => b.Status?.CurrentHealthy == 3,
            "the budget counts 3 healthy pods");
        budget.Status.DesiredHealthy.Should().Be(2);
        budget.Status.DisruptionsAllowed.Should().Be(1);
        budget.Status.ExpectedPods.Should().Be(3);
        budget.Status.Conditions.Should().ContainSingle(c => c.Type == "DisruptionAllowed").Which.Status.Should().Be("True");
    }

    [Fact]
    public async Task Evict_PendingPodUnderBudget_IsAllowed()
    {
        // Arrange: a pending pod is not healthy, so evicting it costs the budget nothing
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("waits", Labels(("app", "web"))), Ns);
        await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(DisruptionBudget("web", "web", 1), Ns);

        // Act
        var code = await EvictAsync("waits");

        // Assert
        code.Should().Be(HttpStatusCode.Created);
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync("waits", Ns), "the evicted pending pod");
    }

    [Fact]
    public async Task Evict_Denied_Answers403()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        Cluster.Authorization.Deny("create", "pods/eviction", Ns);

        // Act
        var status = await ((Func<Task>)(() => EvictAsync("web"))).ShouldFailWithAsync(HttpStatusCode.Forbidden);

        // Assert
        status.Message.Should().Contain("pods/eviction");
    }
}
