using System.Globalization;
using System.Text.RegularExpressions;

namespace Chaos.Testing;

/// <summary>The operator's duration pattern <c>^([0-9]+(s|m|h))+$</c> (e.g. <c>30s</c>, <c>1h30m</c>) and its memory size pattern <c>^[0-9]+[MG]$</c>.</summary>
internal static partial class ManifestDurations
{
    public const string Pattern = "^([0-9]+(s|m|h))+$";

    /// <summary>The duration <paramref name="text"/> stands for, or null when it does not match the pattern or is absurdly long.</summary>
    public static TimeSpan? Parse(string text)
    {
        if (!DurationPattern().IsMatch(text))
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(text))
        {
            if (!long.TryParse(part.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 100_000_000)
            {
                return null;
            }

            total += part.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromHours(value),
            };
        }

        return total;
    }

    /// <summary>Bytes of a memory size like <c>256M</c> (MiB) or <c>1G</c> (GiB), or null when it does not match <c>^[0-9]+[MG]$</c>.</summary>
    public static long? ParseMemory(string text)
    {
        if (!MemoryPattern().IsMatch(text) || !long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 1_000_000)
        {
            return null;
        }

        return value * (text[^1] == 'G' ? 1024L * 1024 * 1024 : 1024L * 1024);
    }

    /// <summary>Writes a duration back in the operator's form, e.g. <c>1h30m</c>.</summary>
    public static string Format(TimeSpan value)
    {
        var text = string.Empty;
        if (value.TotalHours >= 1)
        {
            text += ((long)value.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (value.Minutes > 0)
        {
            text += value.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        }

        if (value.Seconds > 0 || text.Length == 0)
        {
            text += value.Seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        return text;
    }

    [GeneratedRegex(@"^([0-9]+(s|m|h))+\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex("([0-9]+)(s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();

    [GeneratedRegex(@"^[0-9]+[MG]\z", RegexOptions.CultureInvariant)]
    private static partial Regex MemoryPattern();
}
