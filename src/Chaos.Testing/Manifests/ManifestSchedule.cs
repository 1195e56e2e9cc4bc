using Cronos;

namespace Chaos.Testing;

/// <summary>The <c>schedule</c> field: a 5-field cron expression or one of the operator's macros, read with Cronos (UTC).</summary>
internal static class ManifestSchedule
{
    public static readonly string[] Macros = ["@hourly", "@daily", "@weekly", "@monthly", "@yearly"];

    /// <summary>What is wrong with <paramref name="schedule"/>, or null when it is absent or valid.</summary>
    public static string? Problem(string? schedule)
    {
        if (schedule is null)
        {
            return null;
        }

        if (schedule.StartsWith('@'))
        {
            return Macros.Contains(schedule, StringComparer.Ordinal)
                ? null
                : $"must be a cron expression of 5 fields or one of {string.Join(", ", Macros)}, was \"{schedule}\".{DidYouMean.Hint(schedule, Macros)}";
        }

        var fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields != 5)
        {
            return $"must have 5 fields (minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\", had {fields}: \"{schedule}\".";
        }

        try
        {
            _ = CronExpression.Parse(schedule, CronFormat.Standard);
            return null;
        }
        catch (CronFormatException ex)
        {
            return $"is not a valid cron expression: {ex.Message} (was \"{schedule}\").";
        }
    }

    /// <summary>The first occurrence of a valid schedule strictly after <paramref name="after"/>, in UTC, or null when there is none.</summary>
    public static DateTimeOffset? Next(string schedule, DateTimeOffset after) =>
        CronExpression.Parse(schedule, CronFormat.Standard).GetNextOccurrence(after, TimeZoneInfo.Utc, inclusive: false);
}
