namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// The controllers' delays (a pod starting, becoming ready, terminating, a payload holding). A delay is keyed by what it
/// waits for and the object's uid; the earliest pending one is where the <see cref="ControllerManager"/> wakes up next,
/// since nothing in the store changes when a delay ends.
/// </summary>
internal sealed class ControllerTimers
{
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);

    /// <summary>Gets the earliest deadline asked about during the current pass and not yet reached, if any.</summary>
    public DateTimeOffset? NextWake { get; private set; }

    /// <summary>Starts a pass: deadlines of the previous pass are asked about again if still pending.</summary>
    public void BeginPass() => NextWake = null;

    /// <summary>True once <paramref name="delay"/> has passed since the first time <paramref name="key"/> was asked about; arms a wake-up until then.</summary>
    public bool IsDue(string key, TimeSpan delay, DateTimeOffset now)
    {
        if (!_due.TryGetValue(key, out var due))
        {
            due = now + delay;
            _due[key] = due;
        }

        if (now >= due)
        {
            return true;
        }

        if (NextWake is null || due < NextWake)
        {
            NextWake = due;
        }

        return false;
    }

    /// <summary>
    /// As <see cref="IsDue(string, TimeSpan, DateTimeOffset)"/>, with the delay worked out only the first time
    /// <paramref name="key"/> is asked about (working it out may record something, such as an image pull).
    /// </summary>
    public bool IsDue(string key, Func<TimeSpan> delay, DateTimeOffset now) =>
        IsDue(key, _due.ContainsKey(key) ? TimeSpan.Zero : delay(), now);

    /// <summary>Arms a wake-up at <paramref name="due"/> if it is still ahead (for a deadline kept in an object, such as minReadySeconds).</summary>
    public void WakeAt(DateTimeOffset due, DateTimeOffset now)
    {
        if (due > now && (NextWake is null || due < NextWake))
        {
            NextWake = due;
        }
    }

    /// <summary>Forgets a delay, so that it starts again the next time it is asked about.</summary>
    public void Reset(string key) => _due.Remove(key);

    /// <summary>
    /// Drops the timers of objects that are gone (keys end with the object's uid): with no <paramref name="prefix"/>, the
    /// pods' timers (every key but those starting with <c>batch-</c>, which the Job and CronJob controllers prune themselves
    /// with that prefix).
    /// </summary>
    public void Prune(HashSet<string> liveUids, string? prefix = null)
    {
        foreach (var key in _due.Keys
                     .Where(k => prefix is null ? !k.StartsWith("batch-", StringComparison.Ordinal) : k.StartsWith(prefix, StringComparison.Ordinal))
                     .Where(k => !liveUids.Contains(k[(k.IndexOf(':', StringComparison.Ordinal) + 1)..])).ToList())
        {
            _due.Remove(key);
        }
    }
}
