using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>The wire protocol as the real API server speaks it: query parsing, continue tokens, JSON patch, OpenAPI.</summary>
public sealed class ProtocolTests : EmulatorTest
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("", true)]
    [InlineData("yes", true)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    [InlineData("0", false)]
    public void QueryBool_ReadsAsTheApiServersParameterCodec(string? value, bool expected)
    {
        var query = new QueryCollection(value is null ? [] : new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["watch"] = value });

        QueryParameters.Bool(query, "watch").Should().Be(expected, $"watch={value ?? "<absent>"}");
    }

    [Fact]
    public async Task WatchTrueCapitalised_AsThePythonClientSendsIt_StreamsEvents()
    {
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };

        using var response = await http.GetAsync($"/api/v1/namespaces/{Ns}/configmaps?watch=True&timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "seen" } }, Ns);
        var body = await response.Content.ReadAsStringAsync();

        body.Should().Contain("\"type\":\"ADDED\"").And.Contain("\"seen\"", "watch=True is a watch on the real server, not a list");
        body.Should().NotContain("ConfigMapList");
    }

    [Fact]
    public async Task ForgedContinueToken_ThatIsValidBase64_IsABadRequest()
    {
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes("shop/zzz"));

        var failure = await ((Func<Task>)(() => Client.CoreV1.ListNamespacedConfigMapAsync(Ns, limit: 1, continueParameter: forged)))
            .Should().ThrowAsync<k8s.Autorest.HttpOperationException>();

        failure.Which.Response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(failure.Which.Response.Content)!["reason"]!.ToString().Should().Be("BadRequest");
    }

    [Fact]
    public async Task JsonPatchReplaceOnAbsentAnnotations_AsTheClientsRolloutRestartSendsIt_IsApplied()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" } }, Ns);
        var patch = new V1Patch(
            """[{"op":"replace","path":"/metadata/annotations","value":{"kubectl.kubernetes.io/restartedAt":"now"}}]""",
            V1Patch.PatchType.JsonPatch);

        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "cfg", Ns);

        patched.Metadata.Annotations.Should().ContainKey("kubectl.kubernetes.io/restartedAt");
    }

    [Fact]
    public async Task OpenApi_V3IndexAndDocuments_DescribeEveryServedKind_WithFieldValidationOnPatch()
    {
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };

        var index = JsonNode.Parse(await http.GetStringAsync("/openapi/v3"))!["paths"]!.AsObject();
        index.Select(p => p.Key).Should().Contain(["api/v1", "apis/apps/v1", "apis/policy/v1"]);
        var apps = JsonNode.Parse(await http.GetStringAsync(index["apis/apps/v1"]!["serverRelativeURL"]!.ToString()))!;
        var deployment = apps["components"]!["schemas"]!["io.k8s.api.apps.v1.Deployment"]!;
        deployment["x-kubernetes-group-version-kind"]![0]!["kind"]!.ToString().Should().Be("Deployment");
        var patch = apps["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        patch["parameters"]!.AsArray().Select(p => p!["name"]!.ToString()).Should().Contain("fieldValidation");
        var containers = JsonNode.Parse(await http.GetStringAsync("/openapi/v3/api/v1"))!["components"]!["schemas"]!["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        containers["x-kubernetes-patch-merge-key"]!.ToString().Should().Be("name");

        var v2 = JsonNode.Parse(await http.GetStringAsync("/openapi/v2"))!;
        v2["definitions"]!.AsObject().Select(d => d.Key).Should().Contain(["io.k8s.api.core.v1.Pod", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]);
        using var protobuf = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
        protobuf.Headers.TryAddWithoutValidation("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        using var answer = await http.SendAsync(protobuf);
        var bytes = await answer.Content.ReadAsByteArrayAsync();
        bytes[..5].Should().Equal([0x0a, 0x03, (byte)'2', (byte)'.', (byte)'0'], "the gnostic Document starts with field 1, swagger = \"2.0\"");
    }
    [Fact]
    public async Task SendInitialEvents_StreamsTheCurrentObjects_ThenTheInitialEventsEndBookmark()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "one" } }, Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "two" } }, Ns);
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };

        var body = await http.GetStringAsync(
            $"/api/v1/namespaces/{Ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1");
        // The namespace's own kube-root-ca.crt (as on a real cluster) is one of the current objects too.
        var events = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)
            .Where(e => e["object"]?["metadata"]?["name"]?.ToString() != SystemObjects.RootCaConfigMap).ToList();

        events.Select(e => e["type"]!.ToString()).Should().Equal("ADDED", "ADDED", "BOOKMARK");
        events.Take(2).Select(e => e["object"]!["metadata"]!["name"]!.ToString()).Should().BeEquivalentTo(["one", "two"]);
        var bookmark = events[2]["object"]!;
        bookmark["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.ToString().Should().Be("true");
        long.Parse(bookmark["metadata"]!["resourceVersion"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThanOrEqualTo(long.Parse(events[1]["object"]!["metadata"]!["resourceVersion"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture));

        using var invalid = await http.GetAsync($"/api/v1/namespaces/{Ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan");
        invalid.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, "sendInitialEvents requires allowWatchBookmarks");
    }

    [Fact]
    public async Task FollowedLog_StaysOpenWhileTheContainerRuns_AndEndsWhenThePodGoes()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "example/web:1" }] } }, Ns);
        await Client.WaitForPodRunningAsync(Ns, "web");
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

        using var response = await http.GetAsync($"/api/v1/namespaces/{Ns}/pods/web/log?follow=true", HttpCompletionOption.ResponseHeadersRead);
        var reading = response.Content.ReadAsStringAsync();
        var first = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(1)));
        first.Should().NotBeSameAs(reading, "a followed log stays open while its container runs");

        await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns, gracePeriodSeconds: 0);
        (await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(30)))).Should().BeSameAs(reading, "the log ends when the container stops");
    }
}
