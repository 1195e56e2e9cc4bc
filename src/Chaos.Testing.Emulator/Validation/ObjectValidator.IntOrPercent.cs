using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Validation;

/// <content>
/// Integer-or-percent fields (a budget's minAvailable and maxUnavailable, a rolling update's maxUnavailable and
/// maxSurge), checked as the API server's ValidatePositiveIntOrPercent does, since the controllers compute with them.
/// </content>
internal static partial class ObjectValidator
{
    private const string PercentMessage =
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

    private static void ValidateIntOrPercent(JsonNode? value, string field, List<FieldError> errors, bool upTo100 = true)
    {
        switch (value?.GetValueKind())
        {
            case JsonValueKind.String:
                var text = value.GetValue<string>();
                if (!Percent().IsMatch(text))
                {
                    errors.Add(FieldError.Invalid(field, text, PercentMessage));
                }
                else if (upTo100
                         && (!long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var percent)
                             || percent > 100))
                {
                    errors.Add(FieldError.Invalid(field, text, "must not be greater than 100%"));
                }

                break;
            case JsonValueKind.Number when value.ToInt64() < 0:
                errors.Add(FieldError.Invalid(field, value.ToJsonString(), "must be greater than or equal to 0"));
                break;
        }
    }

    [GeneratedRegex(@"\A[0-9]+%\z")]
    private static partial Regex Percent();
}
