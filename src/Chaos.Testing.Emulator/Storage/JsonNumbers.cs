using System.Globalization;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Storage;

/// <summary>Numbers from JSON nodes whatever their backing type (parsed text, int or long).</summary>
internal static class JsonNumbers
{
    public static long ToInt64(this JsonNode node) =>
        node is JsonValue value && value.TryGetValue<long>(out var l) ? l
        : node is JsonValue v2 && v2.TryGetValue<int>(out var i) ? i
        : long.Parse(node.ToJsonString().Trim('"'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public static int ToInt32(this JsonNode node) => checked((int)node.ToInt64());

    public static bool IsTrue(this JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var b) && b;
}
