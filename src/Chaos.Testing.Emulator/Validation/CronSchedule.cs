using Cronos;

namespace Chaos.Testing.Emulator.Validation;

/// <summary>
/// A CronJob's schedule: five fields or a descriptor (<c>@hourly</c>, <c>@daily</c>, ...), in UTC or the CronJob's
/// <c>spec.timeZone</c>.
/// </summary>
internal sealed class CronSchedule
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        _zone = zone;
    }

    public static bool TryParse(string text, out CronSchedule? schedule, string? timeZone = null)
    {
        schedule = null;
        var zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrEmpty(timeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out zone))
        {
            return false;
        }

        // Kubernetes refuses TZ= and CRON_TZ= in the schedule (spec.timeZone says it), and robfig/cron has no seconds field.
        if (text.Contains("TZ=", StringComparison.Ordinal) || text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 5)
        {
            return false;
        }

        if (!CronExpression.TryParse(text.Trim(), CronFormat.Standard, out var expression))
        {
            return false;
        }

        schedule = new CronSchedule(expression, zone!);
        return true;
    }

    /// <summary>The first scheduled time strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, _zone, inclusive: false);
}
