using System.Net;
using System.Text.Json;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>
/// CustomResourceDefinitions and their custom resources through the C# client's CustomObjects operations: discovery,
/// CRUD, schema validation (types, required, enum, bounds, pattern), pruning and defaults, cluster scope, and cleanup
/// when the definition is deleted.
/// </summary>
public sealed class CustomResourceTests : EmulatorTest
{
    private const string Group = "example.com";

    [Fact]
    public async Task Crd_ServesItsResources_ValidatedPrunedAndDefaultedByItsSchema()
    {
        // Arrange
        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Definition("widgets", "Widget", "Namespaced"));
        var crd = await Eventually.MatchAsync(
            () => Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync($"widgets.{Group}"),
            c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true,
            "the definition is established");

        // Act
        var created = await Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            Widget("small", """{"size": 2, "color": "red", "name": "abc", "unknown": true}"""), Group, "v1", Ns, "widgets");
        var invalid = await ((Func<Task>)(() => Client.CustomObjects.CreateNamespacedCustomObjectAsync(
                Widget("bad", """{"size": "two", "color": "pink", "name": "ABC"}"""), Group, "v1", Ns, "widgets")))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);
        var missing = await ((Func<Task>)(() => Client.CustomObjects.CreateNamespacedCustomObjectAsync(
                Widget("empty", """{"color": "red", "size": 11}"""), Group, "v1", Ns, "widgets")))
            .ShouldFailWithAsync(HttpStatusCode.UnprocessableEntity);
        await Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"size":5}}""", V1Patch.PatchType.MergePatch), Group, "v1", Ns, "widgets", "small");
        var read = (JsonElement)await Client.CustomObjects.GetNamespacedCustomObjectAsync(Group, "v1", Ns, "widgets", "small");
        var list = (JsonElement)await Client.CustomObjects.ListNamespacedCustomObjectAsync(Group, "v1", Ns, "widgets");

        // Assert
        crd.Metadata.Finalizers.Should().Contain("customresourcecleanup.apiextensions.k8s.io");
        ((JsonElement)created).GetProperty("spec").TryGetProperty("unknown", out _).Should().BeFalse("fields the schema does not name are pruned");
        ((JsonElement)created).GetProperty("spec").GetProperty("mode").GetString().Should().Be("auto", "the schema's default is filled in");
        invalid.Details.Causes.Select(c => c.Field).Should().BeEquivalentTo("spec.size", "spec.color", "spec.name");
        invalid.Message.Should().Contain("must be of type integer").And.Contain("supported values: \"red\", \"blue\"").And.Contain("should match");
        missing.Details.Causes.Select(c => c.Field).Should().BeEquivalentTo("spec.name", "spec.size");
        read.GetProperty("spec").GetProperty("size").GetInt32().Should().Be(5);
        read.GetProperty("metadata").GetProperty("generation").GetInt64().Should().BeGreaterThanOrEqualTo(1);
        list.GetProperty("items").GetArrayLength().Should().Be(1);
        list.GetProperty("kind").GetString().Should().Be("WidgetList");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task DeletingTheCrd_DeletesItsResources_ClusterScopedToo()
    {
        // Arrange
        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Definition("gadgets", "Gadget", "Cluster"));
        await Client.CustomObjects.CreateClusterCustomObjectAsync(Widget("one", """{"size": 1, "name": "one"}""", "Gadget"), Group, "v1", "gadgets");
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        var discovery = await http.GetStringAsync(new Uri($"/apis/{Group}/v1", UriKind.Relative));

        // Act
        await Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync($"gadgets.{Group}");

        // Assert
        discovery.Should().Contain("\"name\":\"gadgets\"").And.Contain("\"namespaced\":false").And.Contain("\"kind\":\"Gadget\"");
        await Eventually.GoneAsync(() => Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync($"gadgets.{Group}"), "the definition, once its resources are gone");
        var after = await http.GetAsync(new Uri($"/apis/{Group}/v1/gadgets", UriKind.Relative));
        after.StatusCode.Should().Be(HttpStatusCode.NotFound, "the resource is no longer served");
        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Definition("gadgets", "Gadget", "Cluster"));
        var again = (JsonElement)await Client.CustomObjects.ListClusterCustomObjectAsync(Group, "v1", "gadgets");
        again.GetProperty("items").GetArrayLength().Should().Be(0, "the resources were deleted with their definition, not hidden");
    }

    private static JsonElement Widget(string name, string spec, string kind = "Widget") => JsonSerializer.Deserialize<JsonElement>(
        $$"""{"apiVersion": "{{Group}}/v1", "kind": "{{kind}}", "metadata": {"name": "{{name}}"}, "spec": {{spec}}}""");

    private static V1CustomResourceDefinition Definition(string plural, string kind, string scope) =>
        KubernetesJson.Deserialize<V1CustomResourceDefinition>($$$"""
            {
              "apiVersion": "apiextensions.k8s.io/v1",
              "kind": "CustomResourceDefinition",
              "metadata": {"name": "{{{plural}}}.{{{Group}}}"},
              "spec": {
                "group": "{{{Group}}}",
                "scope": "{{{scope}}}",
                "names": {"plural": "{{{plural}}}", "singular": "{{{kind.ToLowerInvariant()}}}", "kind": "{{{kind}}}"},
                "versions": [{
                  "name": "v1", "served": true, "storage": true,
                  "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {"spec": {
                      "type": "object",
                      "required": ["name", "size"],
                      "properties": {
                        "size": {"type": "integer", "minimum": 1, "maximum": 10},
                        "color": {"type": "string", "enum": ["red", "blue"]},
                        "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 8},
                        "mode": {"type": "string", "default": "auto"}
                      }
                    }}
                  }}
                }]
              }
            }
            """);
}
