using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// A window of a manifest's <c>timeWindows</c> or <c>maintenanceWindows</c>: <c>Recurring</c> (start and end <c>HH:MM</c>
/// in <see cref="Timezone"/>, on <see cref="DaysOfWeek"/>; an end before the start runs past midnight) or <c>Absolute</c>
/// (start and end RFC 3339). The start is inside the window, the end is not.
/// </summary>
public sealed record ManifestTimeWindow
{
    internal static readonly string[] Days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    /// <summary>Gets the type: <c>Recurring</c> or <c>Absolute</c>.</summary>
    public string Type { get; init; } = string.Empty;

    /// <summary>Gets the start: <c>HH:MM</c> (Recurring) or RFC 3339 (Absolute).</summary>
    public string Start { get; init; } = string.Empty;

    /// <summary>Gets the end: <c>HH:MM</c> (Recurring) or RFC 3339 (Absolute).</summary>
    public string End { get; init; } = string.Empty;

    /// <summary>Gets the IANA time zone of a Recurring window.</summary>
    /// <value>The default value is <c>UTC</c>.</value>
    public string Timezone { get; init; } = "UTC";

    /// <summary>Gets the days (Mon … Sun) a Recurring window opens on; empty for every day.</summary>
    public IReadOnlyList<string> DaysOfWeek { get; init; } = [];

    /// <summary>Whether <paramref name="instant"/> falls inside the window. The window must be valid (as loaded without problems).</summary>
    /// <param name="instant">The moment to check.</param>
    /// <returns>True when inside.</returns>
    public bool Contains(DateTimeOffset instant)
    {
        if (Type == "Absolute")
        {
            return instant >= DateTimeOffset.Parse(Start, CultureInfo.InvariantCulture) && instant < DateTimeOffset.Parse(End, CultureInfo.InvariantCulture);
        }

        var local = TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(Timezone));
        var start = TimeOnly.ParseExact(Start, "HH:mm", CultureInfo.InvariantCulture).ToTimeSpan();
        var end = TimeOnly.ParseExact(End, "HH:mm", CultureInfo.InvariantCulture).ToTimeSpan();
        var now = local.TimeOfDay;
        if (start <= end)
        {
            return now >= start && now < end && OpensOn(local.DayOfWeek);
        }

        // Past midnight: the window belongs to the day it opened on.
        return (now >= start && OpensOn(local.DayOfWeek)) || (now < end && OpensOn(local.AddDays(-1).DayOfWeek));
    }

    /// <inheritdoc />
    public override string ToString() => Type == "Absolute"
        ? $"Absolute {Start} – {End}"
        : $"Recurring {Start}–{End} {Timezone}{(DaysOfWeek.Count > 0 ? " " + string.Join(",", DaysOfWeek) : " every day")}";

    /// <summary>Adds every problem of the window under <paramref name="path"/>.</summary>
    internal void Validate(string path, Action<string, string> problem)
    {
        if (Type == "Absolute")
        {
            var start = AbsoluteTime(Start, $"{path}.start", problem);
            var end = AbsoluteTime(End, $"{path}.end", problem);
            if (start is not null && end is not null && end <= start)
            {
                problem($"{path}.end", $"must be after the start ({Start}), was {End}.");
            }
        }
        else if (Type == "Recurring")
        {
            ClockTime(Start, $"{path}.start", problem);
            ClockTime(End, $"{path}.end", problem);
            if (Start == End && Start.Length > 0)
            {
                problem($"{path}.end", $"must differ from the start ({Start}): the window would be empty.");
            }

            try
            {
                _ = TimeZoneInfo.FindSystemTimeZoneById(Timezone);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
            {
                problem($"{path}.timezone", $"\"{Timezone}\" is not a known IANA time zone, e.g. \"Europe/Berlin\" or \"UTC\".");
            }

            for (var i = 0; i < DaysOfWeek.Count; i++)
            {
                if (!Days.Contains(DaysOfWeek[i], StringComparer.Ordinal))
                {
                    problem($"{path}.daysOfWeek[{i}]", $"must be one of {string.Join(", ", Days)}, was \"{DaysOfWeek[i]}\".{DidYouMean.Hint(DaysOfWeek[i], Days)}");
                }
            }
        }
        else
        {
            problem($"{path}.type", $"must be Recurring or Absolute, was \"{Type}\".{DidYouMean.Hint(Type, ["Recurring", "Absolute"])}");
        }
    }

    private bool OpensOn(DayOfWeek day) => DaysOfWeek.Count == 0 || DaysOfWeek.Contains(Days[((int)day + 6) % 7], StringComparer.Ordinal);

    private static DateTimeOffset? AbsoluteTime(string text, string path, Action<string, string> problem)
    {
        // RFC 3339: a date, 'T', a time and an offset (Z or ±hh:mm).
        if (text.Length >= 20 && text[10] is 'T' or 't' && (text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }

        problem(path, $"must be an RFC 3339 time with an offset, e.g. \"2026-03-01T09:00:00Z\", was \"{text}\".");
        return null;
    }

    private static void ClockTime(string text, string path, Action<string, string> problem)
    {
        if (text.Length != 5 || !TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            problem(path, $"must be a time of day HH:MM (24 hours), e.g. \"09:00\", was \"{text}\".");
        }
    }
}
