using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Selectors;

/// <summary>Evaluates a structured <c>LabelSelector</c> (matchLabels and matchExpressions) as controllers do.</summary>
internal static class SelectorMatcher
{
    /// <summary>True when <paramref name="selector"/> selects <paramref name="labels"/>. A null selector selects nothing; an empty one selects everything.</summary>
    public static bool Matches(JsonNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is not JsonObject obj)
        {
            return false;
        }

        foreach (var (key, value) in obj["matchLabels"] as JsonObject ?? [])
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value?.ToString())
            {
                return false;
            }
        }

        foreach (var expression in obj["matchExpressions"] as JsonArray ?? [])
        {
            var key = expression?["key"]?.ToString() ?? string.Empty;
            var values = (expression?["values"] as JsonArray ?? []).Select(v => v?.ToString()).ToHashSet();
            var has = labels.TryGetValue(key, out var actual);
            var ok = expression?["operator"]?.ToString() switch
            {
                "In" => has && values.Contains(actual),
                "NotIn" => !has || !values.Contains(actual),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the selector has neither matchLabels nor matchExpressions.</summary>
    public static bool IsEmpty(JsonNode? selector) =>
        selector is JsonObject obj
        && (obj["matchLabels"] as JsonObject)?.Count is null or 0
        && (obj["matchExpressions"] as JsonArray)?.Count is null or 0;
}
