using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using Xunit.Abstractions;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>
/// Malformed writes of every kind a chaos test touches: each answers 4xx with a Kubernetes <c>Status</c> body (never a
/// 500, never an empty body), nothing of it is stored, and the emulator goes on working for everyone else.
/// </summary>
public sealed class MalformedInputTests(ITestOutputHelper output) : EmulatorTest
{
    private const string Json = "application/json";
    private const string Merge = "application/merge-patch+json";
    private const string Strategic = "application/strategic-merge-patch+json";
    private const string JsonPatch = "application/json-patch+json";

    [Fact]
    public async Task Writes_WrongTypesBadJsonHugeNumbersWrongContentTypes_EveryOneAnswers4xxWithAStatus()
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        var results = new List<(string Case, int Code, string Body)>();
        async Task SendAsync(string description, HttpMethod method, string path, string? contentType, byte[] body)
        {
            using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request);
            }
            catch (HttpRequestException ex)
            {
                results.Add(($"{method} {path} {description}", 0, $"no answer: {ex.Message}"));
                return;
            }

            using var answer = response;
            results.Add(($"{method} {path} [{contentType ?? "no content type"}] {description}", (int)response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        Task Send(string description, HttpMethod method, string path, string? contentType, string body) =>
            SendAsync(description, method, path, contentType, Encoding.UTF8.GetBytes(body));

        // Act
        var number = 0;
        foreach (var target in MalformedInputs.Targets)
        {
            var name = $"fuzz-{target.Kind.ToLowerInvariant()}";
            var item = $"{target.Collection}/{name}";
            (await http.PostAsync(target.Collection, Body(MalformedInputs.Valid(target, name).ToJsonString(), Json))).EnsureSuccessStatusCode();
            var current = JsonNode.Parse(await http.GetStringAsync(item))!.AsObject();
            current["metadata"]!.AsObject().Remove("resourceVersion"); // unconditional: a wrongly accepted update must not turn the rest into 409s
            foreach (var (path, value) in MalformedInputs.Mutations(target))
            {
                var what = $"{path} = {value}";
                var created = MalformedInputs.Valid(target, $"{name}-{number++}");
                await Send(what, HttpMethod.Post, target.Collection, Json, MalformedInputs.WithValue(created, path, value));
                await Send(what, HttpMethod.Put, item, Json, MalformedInputs.WithValue(current, path, value));
                var subresource = path.StartsWith("status", StringComparison.Ordinal) && target.Kind is not ("ConfigMap") ? "/status" : string.Empty;
                if (MalformedInputs.MergePatch(path, value) is { } merge)
                {
                    await Send(what, HttpMethod.Patch, item + subresource, Merge, merge);
                    await Send(what, HttpMethod.Patch, item + subresource, Strategic, merge);
                }

                await Send(what, HttpMethod.Patch, item + subresource, JsonPatch, MalformedInputs.JsonPatch(path, value));
            }

            foreach (var (description, body) in MalformedInputs.BadBodies)
            {
                await SendAsync(description, HttpMethod.Post, target.Collection, Json, body);
                await SendAsync(description, HttpMethod.Put, item, Json, body);
                await SendAsync(description, HttpMethod.Patch, item, Merge, body);
                if (description != "a JSON array")
                {
                    await SendAsync(description, HttpMethod.Patch, item, JsonPatch, body); // an empty JSON patch is a valid no-op
                }
            }

            var valid = MalformedInputs.Valid(target, $"{name}-plain").ToJsonString();
            foreach (var contentType in MalformedInputs.WrongContentTypes)
            {
                await Send("valid object, wrong content type", HttpMethod.Post, target.Collection, contentType, valid);
                await Send("valid object, wrong content type", HttpMethod.Put, item, contentType, current.ToJsonString());
                await Send("valid patch, wrong content type", HttpMethod.Patch, item, contentType, "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
            }
        }

        await Send("gracePeriodSeconds of the wrong type", HttpMethod.Delete, "/api/v1/namespaces/shop/configmaps/fuzz-configmap", Json, "{\"gracePeriodSeconds\":\"soon\"}");
        await Send("DeleteOptions that are a number", HttpMethod.Delete, "/api/v1/namespaces/shop/configmaps/fuzz-configmap", Json, "5");
        await Send("eviction grace of the wrong type", HttpMethod.Post, "/api/v1/namespaces/shop/pods/fuzz-pod/eviction", Json,
            "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"fuzz-pod\"},\"deleteOptions\":{\"gracePeriodSeconds\":{}}}");
        await Send("eviction that is an array", HttpMethod.Post, "/api/v1/namespaces/shop/pods/fuzz-pod/eviction", Json, "[1]");

        // Assert
        output.WriteLine($"{results.Count} malformed requests: " + string.Join(", ", results.GroupBy(r => r.Code).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {g.Key}")));
        var wrong = results.Where(r => !IsClientErrorWithStatus(r.Code, r.Body)).ToList();
        wrong.Should().BeEmpty(
            "every one of the {0} malformed requests must answer 4xx with a Status body; {1} did not:{2}{3}",
            results.Count,
            wrong.Count,
            Environment.NewLine,
            string.Join(Environment.NewLine, wrong.Take(60).Select(w => $"{w.Code} {w.Case} -> {Shorten(w.Body)}")));
        results.Count.Should().BeGreaterThan(1000);
        Cluster.ServerError.Should().BeNull("no request may hit an unexpected exception");
        Cluster.ControllerError.Should().BeNull("nothing malformed reached the controllers");

        // The emulator still works: a new Deployment's pods run and become Ready.
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("after-fuzz", replicas: 2), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "after-fuzz", 2);
    }

    [Fact]
    public async Task Writes_NullAtEveryField_NeverAnswer500AndTheControllersStayHealthy()
    {
        // Arrange: null is a valid JSON value for any field (Go leaves the field empty), so each may be accepted or refused.
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        var results = new List<(string Case, int Code, string Body)>();
        async Task Send(string description, HttpMethod method, string path, string contentType, string body)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = Body(body, contentType) });
            results.Add(($"{method} {path} [{contentType}] {description}", (int)response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        // Act
        var number = 0;
        foreach (var target in MalformedInputs.Targets)
        {
            var name = $"null-{target.Kind.ToLowerInvariant()}";
            var item = $"{target.Collection}/{name}";
            foreach (var path in MalformedInputs.Paths(target))
            {
                (await http.PostAsync(target.Collection, Body(MalformedInputs.Valid(target, name).ToJsonString(), Json))).Dispose();
                var what = $"{path} = null";
                await Send(what, HttpMethod.Post, target.Collection, Json, MalformedInputs.WithValue(MalformedInputs.Valid(target, $"{name}-{number++}"), path, "null"));
                var current = JsonNode.Parse(await http.GetStringAsync(item))!.AsObject();
                current["metadata"]!.AsObject().Remove("resourceVersion");
                await Send(what, HttpMethod.Put, item, Json, MalformedInputs.WithValue(current, path, "null"));
                await Send(what, HttpMethod.Patch, item, JsonPatch, MalformedInputs.JsonPatch(path, "null"));
                if (target.Kind != "Namespace")
                {
                    (await http.DeleteAsync(item + "?gracePeriodSeconds=0")).Dispose();
                }
            }
        }

        // Assert
        output.WriteLine($"{results.Count} requests with a null: " + string.Join(", ", results.GroupBy(r => r.Code).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {g.Key}")));
        var wrong = results.Where(r => r.Code >= 500 || (r.Code >= 400 && !IsClientErrorWithStatus(r.Code, r.Body))).ToList();
        wrong.Should().BeEmpty(
            "a null is accepted or refused with a Status, never a 500; {0} of {1} were not:{2}{3}",
            wrong.Count,
            results.Count,
            Environment.NewLine,
            string.Join(Environment.NewLine, wrong.Take(60).Select(w => $"{w.Code} {w.Case} -> {Shorten(w.Body)}")));
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("after-nulls", replicas: 2), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "after-nulls", 2);
        Cluster.ServerError.Should().BeNull();
        Cluster.ControllerError.Should().BeNull("what was accepted is something the controllers handle");
    }

    private static ByteArrayContent Body(string json, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static bool IsClientErrorWithStatus(int code, string body)
    {
        if (code is < 400 or > 499)
        {
            return false;
        }

        try
        {
            var status = JsonNode.Parse(body) as JsonObject;
            return status?["kind"]?.ToString() == "Status" && status["status"]?.ToString() == "Failure"
                && status["code"]?.GetValue<int>() == code && !string.IsNullOrEmpty(status["message"]?.ToString())
                && !string.IsNullOrEmpty(status["reason"]?.ToString());
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "...";
}
