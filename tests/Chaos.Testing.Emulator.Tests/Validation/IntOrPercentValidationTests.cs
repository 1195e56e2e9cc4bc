using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Validation;

/// <summary>Integer-or-percent fields the controllers compute with are refused as the real server refuses them.</summary>
public sealed class IntOrPercentValidationTests : EmulatorTest
{
    [Theory]
    [InlineData("half", "a valid percent string must be a numeric string followed by an ending '%'")]
    [InlineData("5.5%", "a valid percent string must be a numeric string followed by an ending '%'")]
    [InlineData("150%", "must not be greater than 100%")]
    public async Task Create_BudgetMinAvailableNotAPercent_Answers422(string value, string message)
    {
        // Arrange
        var budget = DisruptionBudget("web", "web", 1);
        budget.Spec.MinAvailable = value;

        // Act
        var status = await ((Func<Task>)(() => Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(budget, Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle(c => c.Field == "spec.minAvailable").Which.Message.Should().Contain(message);
    }

    [Fact]
    public async Task Create_BudgetNegativeMaxUnavailable_Answers422()
    {
        // Arrange
        var budget = new V1PodDisruptionBudget { Metadata = Meta("web"), Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = -1, Selector = Selector("web") } };

        // Act
        var status = await ((Func<Task>)(() => Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(budget, Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle(c => c.Field == "spec.maxUnavailable").Which.Message.Should().Contain("must be greater than or equal to 0");
    }

    [Fact]
    public async Task Create_DeploymentMaxUnavailableNotAPercent_Answers422()
    {
        // Arrange
        var deployment = Deployment("web", 2);
        deployment.Spec.Strategy = new V1DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = "x%", MaxSurge = "25%" },
        };

        // Act
        var status = await ((Func<Task>)(() => Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle(c => c.Field == "spec.strategy.rollingUpdate.maxUnavailable");
    }

    [Fact]
    public async Task Create_BudgetPercentAndDeploymentPercent_AreAccepted()
    {
        // Arrange
        var budget = DisruptionBudget("web", "web", 1);
        budget.Spec.MinAvailable = "50%";

        // Act
        await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(budget, Ns);
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);

        // Assert
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);
        Cluster.ControllerError.Should().BeNull();
    }
}
