using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Patching;

/// <summary>Semantic JSON equality used by the patchers (numbers compare by value, not by spelling).</summary>
internal static class JsonEquality
{
    /// <summary>Returns whether two JSON values are equal; object member order is ignored.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when the values are equal.</returns>
    public static bool AreEqual(JsonNode? left, JsonNode? right)
    {
        if (left is null || right is null)
        {
            return IsNull(left) && IsNull(right);
        }

        switch (left)
        {
            case JsonObject leftObject:
                if (right is not JsonObject rightObject || leftObject.Count != rightObject.Count)
                {
                    return false;
                }

                foreach (var (key, value) in leftObject)
                {
                    if (!rightObject.TryGetPropertyValue(key, out var other) || !AreEqual(value, other))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray leftArray:
                if (right is not JsonArray rightArray || leftArray.Count != rightArray.Count)
                {
                    return false;
                }

                for (var i = 0; i < leftArray.Count; i++)
                {
                    if (!AreEqual(leftArray[i], rightArray[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return right is JsonValue && ValuesEqual(left, right);
        }
    }

    private static bool IsNull(JsonNode? node) => node is null || node.GetValueKind() == JsonValueKind.Null;

    private static bool ValuesEqual(JsonNode left, JsonNode right)
    {
        var kind = left.GetValueKind();
        if (kind != right.GetValueKind())
        {
            return false;
        }

        return kind switch
        {
            JsonValueKind.String => string.Equals(left.GetValue<string>(), right.GetValue<string>(), StringComparison.Ordinal),
            JsonValueKind.Number => NumbersEqual(left.ToJsonString(), right.ToJsonString()),
            _ => true,
        };
    }

    private static bool NumbersEqual(string left, string right)
    {
        if (decimal.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var leftDecimal)
            && decimal.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var rightDecimal))
        {
            return leftDecimal == rightDecimal;
        }

        if (double.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var leftDouble)
            && double.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var rightDouble))
        {
            return leftDouble.Equals(rightDouble);
        }

        return string.Equals(left, right, StringComparison.Ordinal);
    }
}
