using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Validation;

/// <summary>
/// The decode step: a body must read as the Go type of its kind, or the API answers as the real server does (400 on
/// create and update, 422 on the field "patch" after a patch), in Go's words and naming the field path.
/// </summary>
public sealed class SchemaCheckTests : EmulatorTest
{
    [Theory]
    [InlineData("""{"metadata":{"name":"p","labels":5}}""", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type map[string]string")]
    [InlineData("""{"metadata":{"name":"p","labels":{"app":true}}}""", "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string")]
    [InlineData("""{"metadata":{"name":"p"},"spec":"web"}""", "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":{}}}""", "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":5}]}}""", "json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"i","ports":[{"containerPort":1.5}]}]}}""", "json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"terminationGracePeriodSeconds":"30"}}""", "json: cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"i","resources":{"limits":{"cpu":"lots"}}}]}}""", "quantities must match the regular expression")]
    [InlineData("""{"metadata":{"name":"p","creationTimestamp":"yesterday"}}""", "parsing time \"yesterday\"")]
    public async Task Create_WrongType_Answers400InGoWordsNamingTheField(string body, string message)
    {
        // Act
        var (code, status) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Ns}/pods", "application/json", body);

        // Assert
        code.Should().Be(HttpStatusCode.BadRequest);
        status["reason"]!.ToString().Should().Be("BadRequest");
        status["message"]!.ToString().Should().StartWith("Pod in version \"v1\" cannot be handled as a Pod: ").And.Contain(message);
    }

    [Fact]
    public async Task Update_WrongType_Answers400AndKeepsTheObject()
    {
        // Arrange
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 1), Ns);
        var body = JsonNode.Parse(KubernetesJson.Serialize(created))!;
        body["spec"]!["replicas"] = "three";

        // Act
        var (code, status) = await SendAsync(HttpMethod.Put, $"/apis/apps/v1/namespaces/{Ns}/deployments/web", "application/json", body.ToJsonString());

        // Assert
        code.Should().Be(HttpStatusCode.BadRequest);
        status["message"]!.ToString().Should().Be(
            "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
        (await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns)).Spec.Replicas.Should().Be(1);
    }

    [Theory]
    [InlineData("application/merge-patch+json", """{"spec":{"replicas":99999999999}}""")]
    [InlineData("application/strategic-merge-patch+json", """{"spec":{"selector":"app=web"}}""")]
    [InlineData("application/json-patch+json", """[{"op":"replace","path":"/spec/template/spec/containers","value":"nginx"}]""")]
    public async Task Patch_ResultOfTheWrongType_Answers422OnTheFieldPatch(string contentType, string patch)
    {
        // Arrange
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 1), Ns);

        // Act
        var (code, status) = await SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{Ns}/deployments/web", contentType, patch);

        // Assert
        code.Should().Be(HttpStatusCode.UnprocessableEntity);
        status["reason"]!.ToString().Should().Be("Invalid");
        status["details"]!["causes"]![0]!["field"]!.ToString().Should().Be("patch");
        status["message"]!.ToString().Should().Contain("json: cannot unmarshal");
        var after = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns);
        after.Metadata.Generation.Should().Be(created.Metadata.Generation, "the spec was not changed");
        after.Spec.Replicas.Should().Be(1);
    }

    [Fact]
    public async Task Create_NullsAndUnknownFields_AreAcceptedAsGoDecodesThem()
    {
        // Act: null leaves a field empty and an unknown field is not a decoding error (the real server drops it; see docs).
        var (code, _) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Ns}/configmaps", "application/json",
            """{"metadata":{"name":"settings","labels":null,"annotations":{"a":"b"}},"data":null,"extra":{"anything":[1,true]}}""");

        // Assert
        code.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public void Check_EveryServedKind_AcceptsWhatTheClientSerializes()
    {
        // Arrange: each kind's model type, as KubernetesClient writes a typical object of it.
        var samples = new Dictionary<ResourceType, object>
        {
            [ResourceTypes.Pods] = Pod("p", Labels(("app", "web"))),
            [ResourceTypes.Deployments] = Deployment("d", 2),
            [ResourceTypes.StatefulSets] = StatefulSet("s", 2),
            [ResourceTypes.DaemonSets] = DaemonSet("ds"),
            [ResourceTypes.ReplicaSets] = ReplicaSet("rs", 1),
            [ResourceTypes.Services] = Service("svc", "web"),
            [ResourceTypes.ConfigMaps] = ConfigMap("cm"),
            [ResourceTypes.PodDisruptionBudgets] = DisruptionBudget("pdb", "web", 1),
            [ResourceTypes.NetworkPolicies] = DenyAllIngress("deny"),
            [ResourceTypes.Events] = Event("e", "shop", "p"),
            [ResourceTypes.Endpoints] = Endpoints("ep", "10.0.0.1"),
        };

        // Act
        var problems = samples.Select(s => (s.Key.Kind, Error: JsonTypeCheck.Check(s.Key.Model, JsonNode.Parse(KubernetesJson.Serialize(s.Value)))))
            .Where(p => p.Error is not null)
            .ToList();

        // Assert
        problems.Should().BeEmpty();
        ResourceTypes.All.Should().OnlyContain(t => t.Model.Namespace == "k8s.Models" && t.Model.Name.EndsWith(t.Kind, StringComparison.Ordinal));
    }

    private async Task<(HttpStatusCode Code, JsonNode Status)> SendAsync(HttpMethod method, string path, string contentType, string body)
    {
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
