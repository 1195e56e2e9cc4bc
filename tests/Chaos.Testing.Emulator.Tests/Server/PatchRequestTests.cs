using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>PATCH with the three patch media types, as the client sends them.</summary>
public sealed class PatchRequestTests : EmulatorTest
{
    [Fact]
    public async Task Patch_JsonPatchOnLabels_AddsReplacesAndRemoves()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings", Labels(("app", "web"), ("old", "yes"))), Ns);
        var patch = """
            [
              {"op":"add","path":"/metadata/labels/tier","value":"front"},
              {"op":"replace","path":"/metadata/labels/app","value":"shop"},
              {"op":"remove","path":"/metadata/labels/old"},
              {"op":"add","path":"/metadata/annotations","value":{}},
              {"op":"add","path":"/metadata/annotations/example.com~1owner","value":"team-a"}
            ]
            """;

        // Act
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "settings", Ns);

        // Assert
        patched.Metadata.Labels.Should().Equal(new Dictionary<string, string> { ["app"] = "shop", ["tier"] = "front" });
        patched.Metadata.Annotations.Should().Equal(new Dictionary<string, string> { ["example.com/owner"] = "team-a" }, "'~1' escapes '/' in a JSON pointer");
    }

    [Fact]
    public async Task Patch_JsonPatchFailingTest_Answers422AndChangesNothing()
    {
        // Arrange
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings", Labels(("app", "web"))), Ns);
        var patch = """[{"op":"test","path":"/metadata/labels/app","value":"db"},{"op":"add","path":"/metadata/labels/x","value":"y"}]""";

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "settings", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Reason.Should().Be("Invalid");
        (await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns)).Metadata.ResourceVersion.Should().Be(created.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Patch_MergePatchOnAnnotations_MergesAndDeletesWithNull()
    {
        // Arrange
        var configMap = ConfigMap("settings");
        configMap.Metadata.Annotations = new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "2" };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, Ns);

        // Act
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"annotations":{"drop":null,"added":"3"}}}""", V1Patch.PatchType.MergePatch), "settings", Ns);

        // Assert
        patched.Metadata.Annotations.Should().Equal(new Dictionary<string, string> { ["keep"] = "1", ["added"] = "3" });
        patched.Data.Should().ContainKey("key", "a merge patch leaves the rest alone");
    }

    [Fact]
    public async Task Patch_StrategicMergePatchOnLabels_MergesLabels()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web", Labels(("app", "web"))), Ns);

        // Act
        var patched = await Client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"labels":{"chaos":"target"}}}""", V1Patch.PatchType.StrategicMergePatch), "web", Ns);

        // Assert
        patched.Metadata.Labels.Should().Equal(new Dictionary<string, string> { ["app"] = "web", ["chaos"] = "target" });
    }

    [Fact]
    public async Task Patch_TypedObjectBody_IsSerializedByTheClient()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        var body = new V1ConfigMap { Metadata = new V1ObjectMeta { Labels = Labels(("patched", "true")) } };

        // Act
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), "settings", Ns);

        // Assert
        patched.Metadata.Labels.Should().Contain("patched", "true");
    }

    [Fact]
    public async Task Patch_NodeUnschedulable_CordonsAndUncordons()
    {
        // Act
        var cordoned = await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.StrategicMergePatch), "node-1");
        var listed = await Client.CoreV1.ListNodeAsync(fieldSelector: "spec.unschedulable=true");
        var uncordoned = await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":null}}""", V1Patch.PatchType.MergePatch), "node-1");

        // Assert
        cordoned.Spec.Unschedulable.Should().BeTrue();
        listed.Items.Select(n => n.Metadata.Name).Should().Equal("node-1");
        uncordoned.Spec.Unschedulable.Should().NotBe(true);
    }

    [Fact]
    public async Task Patch_NodeTaints_ReplacesTheTaintList()
    {
        // Arrange
        await Client.CoreV1.PatchNodeAsync(
            new V1Patch("""{"spec":{"taints":[{"key":"a","value":"1","effect":"NoSchedule"}]}}""", V1Patch.PatchType.StrategicMergePatch), "node-2");

        // Act
        var patched = await Client.CoreV1.PatchNodeAsync(
            new V1Patch("""{"spec":{"taints":[{"key":"b","effect":"NoExecute"}]}}""", V1Patch.PatchType.StrategicMergePatch), "node-2");

        // Assert: Node.spec.taints has no merge key, so a strategic merge patch replaces it
        patched.Spec.Taints.Should().ContainSingle().Which.Should().Match<V1Taint>(t => t.Key == "b" && t.Effect == "NoExecute");
        patched.Spec.PodCIDR.Should().Be("10.42.2.0/24");
    }

    [Fact]
    public async Task Patch_NodeTaintWithBadEffect_Answers422()
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.PatchNodeAsync(
                new V1Patch("""{"spec":{"taints":[{"key":"a","effect":"Sometimes"}]}}""", V1Patch.PatchType.MergePatch), "node-2")))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle(c => c.Field == "spec.taints[0].effect");
    }

    [Fact]
    public async Task Patch_PodContainerImageByStrategicMerge_KeepsOtherContainersAndFields()
    {
        // Arrange
        var pod = UnschedulablePod("web");
        pod.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "envoy:1.30", Args = ["--quiet"] });
        await Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);

        // Act
        var patched = await Client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"spec":{"containers":[{"name":"sidecar","image":"envoy:1.31"}]}}""", V1Patch.PatchType.StrategicMergePatch), "web", Ns);

        // Assert
        patched.Spec.Containers.Select(c => (c.Name, c.Image)).Should().Equal(("app", Image), ("sidecar", "envoy:1.31"));
        patched.Spec.Containers[1].Args.Should().Equal("--quiet");
    }

    [Fact]
    public async Task Patch_PodContainerImageOnRunningPod_RestartsThatContainer()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodReadyAsync(Ns, "web");

        // Act
        await Client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}""", V1Patch.PatchType.StrategicMergePatch), "web", Ns);

        // Assert
        var restarted = await Client.WaitForPodAsync(Ns, "web",
            p => p.IsReady() && p.Status.ContainerStatuses.Single().Image == "nginx:1.26", "runs nginx:1.26 and is Ready again");
        restarted.Status.ContainerStatuses.Single().RestartCount.Should().Be(1);
    }

    [Fact]
    public async Task Patch_PodSpecOtherThanImage_Answers422Forbidden()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.PatchNamespacedPodAsync(
                new V1Patch("""{"spec":{"containers":[{"name":"app","args":["x"]}]}}""", V1Patch.PatchType.StrategicMergePatch), "web", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);

        // Assert
        status.Details.Causes.Should().ContainSingle(c => c.Field == "spec" && c.Reason == "FieldValueForbidden");
    }

    [Theory]
    [InlineData("application/merge-patch+json; charset=utf-8")]
    [InlineData("application/strategic-merge-patch+json;charset=UTF-8")]
    [InlineData("Application/Merge-Patch+JSON")]
    public async Task RawPatch_ContentTypeWithParameters_IsAccepted(string contentType)
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var content = new StringContent("""{"data":{"raw":"yes"}}""", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri($"/api/v1/namespaces/{Ns}/configmaps/settings", UriKind.Relative)) { Content = content };

        // Act
        using var response = await http.SendAsync(request);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns)).Data.Should().Contain("raw", "yes");
    }

    [Fact]
    public async Task RawPatch_UnknownContentType_Answers415()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var content = new StringContent("""{"data":{"raw":"yes"}}""", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri($"/api/v1/namespaces/{Ns}/configmaps/settings", UriKind.Relative)) { Content = content };

        // Act
        using var response = await http.SendAsync(request);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync());
        status.Reason.Should().Be("UnsupportedMediaType");
    }

    [Fact]
    public async Task Patch_MissingObject_Answers404()
    {
        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.PatchNamespacedConfigMapAsync(
                new V1Patch("""{"data":{"a":"b"}}""", V1Patch.PatchType.MergePatch), "missing", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.NotFound);

        // Assert
        status.Reason.Should().Be("NotFound");
    }

    [Fact]
    public async Task Patch_WithStaleResourceVersion_Answers409()
    {
        // Arrange
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), Ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"1"}}""", V1Patch.PatchType.MergePatch), "settings", Ns);
        var stale = $$$"""{"metadata":{"resourceVersion":"{{{created.Metadata.ResourceVersion}}}"},"data":{"a":"2"}}""";

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(stale, V1Patch.PatchType.MergePatch), "settings", Ns)))
            .ShouldFailWithAsync(HttpStatusCode.Conflict);

        // Assert
        status.Reason.Should().Be("Conflict");
    }
}
