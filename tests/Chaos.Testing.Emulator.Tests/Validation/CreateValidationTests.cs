using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Validation;

/// <summary>What create accepts and rejects: names, required fields, duplicates and namespaces.</summary>
public sealed class CreateValidationTests : EmulatorTest
{
    [Fact]
    public async Task Create_GenerateName_AppendsRandomSuffix()
    {
        // Arrange
        var pod = Pod(null!);
        pod.Metadata.GenerateName = "web-";

        // Act
        var first = await Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);
        var second = await Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);

        // Assert
        first.Metadata.Name.Should().MatchRegex("^web-[a-z0-9]{5}$");
        second.Metadata.Name.Should().MatchRegex("^web-[a-z0-9]{5}$").And.NotBe(first.Metadata.Name);
        first.Metadata.GenerateName.Should().Be("web-");
        (await Client.CoreV1.ReadNamespacedPodAsync(first.Metadata.Name, Ns)).Metadata.Uid.Should().Be(first.Metadata.Uid);
    }

    [Fact]
    public async Task Create_ExistingName_Answers409AlreadyExists()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns)))
            .ShouldFailWithAsync(HttpStatusCode.Conflict);

        // Assert
        status.Reason.Should().Be("AlreadyExists");
        status.Code.Should().Be(409);
        status.Details.Name.Should().Be("settings");
        status.Details.Kind.Should().Be("configmaps");
        status.Message.Should().Be("configmaps \"settings\" already exists");
    }

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("UPPER")]
    [InlineData("-leading-dash")]
    public async Task Create_InvalidName_Answers422WithMetadataNameCause(string name)
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name), Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Reason.Should().Be("Invalid");
        status.Code.Should().Be(422);
        status.Details.Causes.Should().ContainSingle(c => c.Field == "metadata.name")
            .Which.Reason.Should().Be("FieldValueInvalid");
        status.Message.Should().Contain(name).And.Contain("RFC 1123");
    }

    [Fact]
    public async Task Create_PodWithoutContainers_Answers422RequiringContainers()
    {
        // Arrange
        var pod = new V1Pod { Metadata = Meta("empty"), Spec = new V1PodSpec { Containers = [] } };

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedPodAsync(pod, Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Reason.Should().Be("Invalid");
        status.Details.Causes.Should().ContainSingle().Which.Should().Match<V1StatusCause>(c => c.Field == "spec.containers" && c.Reason == "FieldValueRequired");
        (await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Should().BeEmpty("a rejected create stores nothing");
    }

    [Fact]
    public async Task Create_SeveralProblems_ReportsEveryCause()
    {
        // Arrange
        var pod = new V1Pod
        {
            Metadata = Meta("Bad_Name", Labels(("app", "bad value!"))),
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app" }] },
        };

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedPodAsync(pod, Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Select(c => c.Field).Should().BeEquivalentTo("metadata.name", "metadata.labels", "spec.containers[0].image");
    }

    [Fact]
    public async Task Create_DeploymentSelectorNotMatchingTemplate_Answers422()
    {
        // Arrange
        var deployment = Deployment("web", 1);
        deployment.Spec.Selector = Selector("other");

        // Act
        var status = await ((Func<Task>)(() => Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle(c => c.Field == "spec.template.metadata.labels");
    }

    [Fact]
    public async Task Create_InMissingNamespace_Answers404ForTheNamespace()
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "nowhere")))
            .ShouldFailWithAsync(HttpStatusCode.NotFound);

        // Assert
        status.Reason.Should().Be("NotFound");
        status.Details.Kind.Should().Be("namespaces");
        status.Details.Name.Should().Be("nowhere");
    }

    [Fact]
    public async Task Create_BodyNamespaceDifferentFromUrl_Answers400()
    {
        // Arrange
        var configMap = ConfigMap("settings");
        configMap.Metadata.NamespaceProperty = "default";

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, Ns)))
            .ShouldFailWithAsync(HttpStatusCode.BadRequest);

        // Assert
        status.Message.Should().Contain("namespace");
    }

    [Fact]
    public async Task Create_InTerminatingNamespace_Answers403()
    {
        // Arrange: a running pod held by a finalizer keeps its namespace Terminating (the namespace's own
        // finalizer works around the emulator removing an unfinalized namespace at once; see NamespaceControllerTests)
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "closing", Finalizers = ["example.com/hold"] } });
        var pod = Pod("held");
        pod.Metadata.Finalizers = ["example.com/hold"];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "closing");
        await Client.WaitForPodRunningAsync("closing", "held");
        await Client.CoreV1.DeleteNamespaceAsync("closing");
        var closing = await Client.CoreV1.ReadNamespaceAsync("closing");

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("late"), "closing")))
            .ShouldFailWithAsync(HttpStatusCode.Forbidden);

        // Assert
        closing.Status.Phase.Should().Be("Terminating");
        status.Reason.Should().Be("Forbidden");
        status.Message.Should().Contain("because it is being terminated");
    }

    [Fact]
    public async Task DryRunCreate_ValidObject_StoresNothing()
    {
        // Act
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dry"), Ns, dryRun: "All");

        // Assert
        created.Metadata.Name.Should().Be("dry");
        (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Should().NotContain(c => c.Metadata.Name == "dry");
    }
}
