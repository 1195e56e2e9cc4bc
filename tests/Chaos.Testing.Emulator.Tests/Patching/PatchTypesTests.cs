using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Patching;

namespace Chaos.Testing.Emulator.Tests.Patching;

public class PatchTypesTests
{
    [Theory]
    [InlineData("application/json-patch+json", nameof(PatchKind.Json))]
    [InlineData("application/merge-patch+json", nameof(PatchKind.Merge))]
    [InlineData("application/strategic-merge-patch+json", nameof(PatchKind.StrategicMerge))]
    [InlineData("application/apply-patch+yaml", nameof(PatchKind.Apply))]
    [InlineData("application/merge-patch+json; charset=utf-8", nameof(PatchKind.Merge))]
    [InlineData("Application/Strategic-Merge-Patch+JSON", nameof(PatchKind.StrategicMerge))]
    [InlineData("  application/json-patch+json ;charset=UTF-8", nameof(PatchKind.Json))]
    [InlineData("application/apply-patch+yaml; fieldManager=kubectl", nameof(PatchKind.Apply))]
    public void Parse_KnownMediaType_ReturnsKind(string contentType, string expected) =>
        PatchTypes.Parse(contentType).Should().Be(Enum.Parse<PatchKind>(expected));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("application/json")]
    [InlineData("application/yaml")]
    [InlineData("text/plain; application/merge-patch+json")]
    public void Parse_UnknownOrMissingMediaType_ReturnsNull(string? contentType) =>
        PatchTypes.Parse(contentType).Should().BeNull();

    [Fact]
    public void Constants_MatchKubernetesMediaTypes_AreExact()
    {
        PatchTypes.JsonPatch.Should().Be("application/json-patch+json");
        PatchTypes.MergePatch.Should().Be("application/merge-patch+json");
        PatchTypes.StrategicMergePatch.Should().Be("application/strategic-merge-patch+json");
        PatchTypes.ApplyPatch.Should().Be("application/apply-patch+yaml");
    }

    [Fact]
    public void EngineApply_JsonKind_AppliesJsonPatch()
    {
        var result = PatchEngine.Apply(
            PatchKind.Json, JsonAssert.Parse("""{"a":1}"""), JsonAssert.ParseNotNull("""[{"op":"replace","path":"/a","value":2}]"""), "Pod");

        JsonAssert.Equal("""{"a":2}""", result);
    }

    [Fact]
    public void EngineApply_MergeKind_ReplacesLists()
    {
        var result = PatchEngine.Apply(
            PatchKind.Merge,
            JsonAssert.Parse("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"""),
            JsonAssert.ParseNotNull("""{"spec":{"containers":[{"name":"c"}]}}"""),
            "Pod");

        JsonAssert.Equal("""{"spec":{"containers":[{"name":"c"}]}}""", result);
    }

    [Fact]
    public void EngineApply_StrategicMergeKind_MergesListsByKey()
    {
        var result = PatchEngine.Apply(
            PatchKind.StrategicMerge,
            JsonAssert.Parse("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"""),
            JsonAssert.ParseNotNull("""{"spec":{"containers":[{"name":"c"}]}}"""),
            "Pod");

        JsonAssert.Equal("""{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}""", result);
    }

    [Fact]
    public void EngineApply_ApplyKind_ThrowsNotSupported()
    {
        var act = () => PatchEngine.Apply(PatchKind.Apply, new JsonObject(), new JsonObject(), "Pod");

        act.Should().Throw<PatchException>().WithMessage("server-side apply is not supported*");
    }
}
