using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Controllers;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>
/// One object a controller cannot handle never stops the others: the inputs the review found (a PodDisruptionBudget
/// without spec, a node status patched to a number) and objects placed past the API's validation.
/// </summary>
public sealed class ControllerIsolationTests : EmulatorTest
{
    [Fact]
    public async Task DisruptionBudget_WithoutSpec_IsAcceptedAndHandledAndNewPodsStillRun()
    {
        // Arrange: the real API server accepts a policy/v1 budget without spec; it selects no pods.
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var created = await http.PostAsync($"/apis/policy/v1/namespaces/{Ns}/poddisruptionbudgets",
            Json("""{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"no-spec"}}""", "application/json"));

        // Act
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 2), Ns);

        // Assert
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);
        var budget = await Eventually.MatchAsync(
            () => Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("no-spec", Ns),
            b => b.Status?.Conditions?.Count > 0,
            "the budget without spec has a status");
        budget.Status.ExpectedPods.Should().Be(0, "a budget without selector selects no pods");
        budget.Status.DisruptionsAllowed.Should().Be(0);
        Cluster.ControllerError.Should().BeNull();
    }

    [Theory]
    [InlineData("application/merge-patch+json", """{"status":5}""")]
    [InlineData("application/strategic-merge-patch+json", """{"status":5}""")]
    [InlineData("application/json-patch+json", """[{"op":"replace","path":"/status","value":5}]""")]
    public async Task NodeStatus_PatchedToANumber_Answers422AndNewPodsStillRun(string contentType, string patch)
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };

        // Act
        using var response = await http.PatchAsync("/api/v1/nodes/node-1/status", Json(patch, contentType));
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 3), Ns);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        status["reason"]!.ToString().Should().Be("Invalid");
        status["details"]!["causes"]![0]!["field"]!.ToString().Should().Be("patch");
        status["message"]!.ToString().Should().Contain("cannot unmarshal number into Go struct field Node.status of type v1.NodeStatus");
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 3);
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task NamespaceLabels_MergePatchedToANumber_Answers422NamingTheField()
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };

        // Act
        using var response = await http.PatchAsync($"/api/v1/namespaces/{Ns}", Json("""{"metadata":{"labels":5}}""", "application/merge-patch+json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadAsStringAsync()).Should()
            .Contain("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type map[string]string");
        (await Client.CoreV1.ReadNamespaceAsync(Ns)).Metadata.Labels.Should().ContainKey("kubernetes.io/metadata.name");
    }

    [Fact]
    public async Task Controllers_ObjectsTheyCannotHandle_OtherObjectsAreStillReconciledAndTheFailuresReported()
    {
        // Arrange: objects no API request could store (the API refuses both), placed straight into the store, in a
        // namespace whose name sorts first so that every controller meets them before anything else.
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("aaa") });
        var budget = Raw(ResourceTypes.PodDisruptionBudgets, """
            {"metadata":{"name":"bad-budget","namespace":"aaa"},"spec":{"minAvailable":"half","selector":{"matchLabels":{"app":"web"}}}}
            """);
        var pod = Raw(ResourceTypes.Pods, """
            {"metadata":{"name":"bad-pod","namespace":"aaa"},"spec":{"nodeName":"node-1","containers":[
              {"name":"app","image":"nginx:1.25"},{"name":"app","image":"nginx:1.26"}]},"status":{"phase":"Running"}}
            """);
        Cluster.Store.Create(ResourceTypes.PodDisruptionBudgets, budget);
        Cluster.Store.Create(ResourceTypes.Pods, pod);

        // Act
        await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(DisruptionBudget("good-budget", "web", minAvailable: 1), Ns);
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 2), Ns);

        // Assert
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);
        await Eventually.MatchAsync(
            () => Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("good-budget", Ns),
            b => b.Status?.CurrentHealthy == 2 && b.Status.DisruptionsAllowed == 1,
            "the good budget counts its two healthy pods");
        await Eventually.UntilAsync(
            () => Cluster.ControllerError?.Message.Contains("bad-pod", StringComparison.Ordinal) == true
                  || Cluster.ControllerError?.Message.Contains("bad-budget", StringComparison.Ordinal) == true,
            "a failure names the object it came from");
        Cluster.ControllerError.Should().BeOfType<ControllerObjectException>();
    }

    private static JsonObject Raw(ResourceType type, string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        return obj;
    }

    private static ByteArrayContent Json(string json, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }
}
