using System.Globalization;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// The CRI log line: <c>&lt;time&gt; stdout|stderr F|P &lt;text&gt;</c>, the time in RFC 3339 with nanoseconds, UTC
/// (as containerd writes it and the kubelet reads it). <c>P</c> marks a fragment of a longer line that the next line continues.
/// </summary>
internal static class CriLogFormat
{
    /// <summary>Formats a time as Go's <c>RFC3339Nano</c> does: UTC, trailing zeros of the fraction left out.</summary>
    /// <param name="time">The time.</param>
    /// <returns>E.g. <c>2024-05-01T10:00:00.12345Z</c>.</returns>
    public static string FormatTime(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var fraction = (utc.Ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        var seconds = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return fraction.Length == 0 ? seconds + "Z" : $"{seconds}.{fraction}Z";
    }

    /// <summary>Formats one log line, with its line end.</summary>
    /// <param name="time">When it was read.</param>
    /// <param name="stream"><c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="partial">Whether the next line continues it.</param>
    /// <param name="text">The text, without line end.</param>
    /// <returns>The line.</returns>
    public static string Format(DateTimeOffset time, string stream, bool partial, string text) =>
        $"{FormatTime(time)} {stream} {(partial ? "P" : "F")} {text}\n";

    /// <summary>Reads one log line (without its line end); false for a line that is not in the format.</summary>
    /// <param name="line">The line.</param>
    /// <param name="time">Its time.</param>
    /// <param name="stream">Its stream.</param>
    /// <param name="partial">Whether the next line continues it.</param>
    /// <param name="text">Its text.</param>
    /// <returns>Whether it was a log line.</returns>
    public static bool TryParse(string line, out DateTimeOffset time, out string stream, out bool partial, out string text)
    {
        (time, stream, partial, text) = (default, string.Empty, false, string.Empty);
        var first = line.IndexOf(' ', StringComparison.Ordinal);
        var second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
        if (second < 0 || !TryParseTime(line[..first], out time))
        {
            return false;
        }

        stream = line[(first + 1)..second];
        var tag = line[(second + 1)..];
        var third = tag.IndexOf(' ', StringComparison.Ordinal);
        text = third < 0 ? string.Empty : tag[(third + 1)..];
        tag = third < 0 ? tag : tag[..third];
        partial = tag.Split(':')[0] == "P";
        return stream is "stdout" or "stderr";
    }

    private static bool TryParseTime(string text, out DateTimeOffset time)
    {
        // .NET keeps 7 fraction digits; RFC3339Nano has up to 9, so the fraction is read by hand.
        time = default;
        if (!text.EndsWith('Z') || text.Length < 20
            || !DateTime.TryParseExact(text[..19], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var seconds))
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
        }

        var fraction = text[19..^1];
        if (fraction.Length > 0 && (fraction[0] != '.' || !fraction[1..].All(char.IsAsciiDigit) || fraction.Length == 1))
        {
            return false;
        }

        var digits = fraction.Length == 0 ? "0" : fraction[1..].PadRight(7, '0')[..7];
        time = new DateTimeOffset(seconds.AddTicks(long.Parse(digits, CultureInfo.InvariantCulture)), TimeSpan.Zero);
        return true;
    }
}
