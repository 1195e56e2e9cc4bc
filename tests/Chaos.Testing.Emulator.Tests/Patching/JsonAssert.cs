using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Tests.Patching;

/// <summary>JSON helpers shared by the patching tests.</summary>
internal static class JsonAssert
{
    public static JsonNode? Parse(string json) => JsonNode.Parse(json);

    public static JsonNode ParseNotNull(string json) => JsonNode.Parse(json)!;

    public static void Equal(string expected, JsonNode? actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        JsonNode.DeepEquals(expectedNode, actual).Should().BeTrue(
            "expected {0} but got {1}", expectedNode?.ToJsonString() ?? "null", actual?.ToJsonString() ?? "null");
    }
}
