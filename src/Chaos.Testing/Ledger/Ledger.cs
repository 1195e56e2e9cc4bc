using System.Collections.Concurrent;
using System.Diagnostics;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// The recovery ledger: annotations on every object a stateful fault changed, plus a label so the janitor can
/// find them with one list call per kind.
/// </summary>
internal static class Ledger
{
    /// <summary>The label present on an object while it carries at least one ledger entry.</summary>
    public const string Label = "chaos.testing/ledger";

    /// <summary>The prefix of the annotation keys; the experiment id follows.</summary>
    public const string AnnotationPrefix = "chaos.testing/ledger-";

    /// <summary>How long after the planned end of a run the janitor waits before recovering from a live process.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(3);

    private static readonly Lazy<RunOwner> CurrentOwner = new(() =>
    {
        using var process = Process.GetCurrentProcess();
        return new RunOwner { Host = Environment.MachineName, ProcessId = Environment.ProcessId, ProcessStarted = StartOf(process) ?? DateTimeOffset.MinValue };
    });

    private static readonly ConcurrentDictionary<string, byte> ActiveRuns = new(StringComparer.Ordinal);

    public static RunOwner Owner => CurrentOwner.Value;

    public static string KeyOf(string experimentId) => AnnotationPrefix + experimentId;

    /// <summary>Marks a run of this process as running (the janitor of this process leaves its objects alone).</summary>
    public static IDisposable Track(string experimentId)
    {
        ActiveRuns[experimentId] = 0;
        return new Untrack(experimentId);
    }

    public static bool IsActiveHere(string experimentId) => ActiveRuns.ContainsKey(experimentId);

    public static IReadOnlyList<LedgerEntry> EntriesOf(V1ObjectMeta metadata)
    {
        if (metadata.Annotations is null)
        {
            return [];
        }

        var entries = new List<LedgerEntry>();
        foreach (var (key, value) in metadata.Annotations)
        {
            if (key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) && LedgerEntry.Parse(value) is { } entry && key == KeyOf(entry.Experiment))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    public static LedgerEntry? EntryOf(V1ObjectMeta metadata, string experimentId) =>
        metadata.Annotations?.TryGetValue(KeyOf(experimentId), out var json) == true && LedgerEntry.Parse(json) is { } entry && entry.Experiment == experimentId
            ? entry
            : null;

    /// <summary>
    /// The ledger annotations that are not entries of the experiment their key names (they do not parse, or name another
    /// experiment): never acted on, reported by the janitor.
    /// </summary>
    public static IReadOnlyList<string> Unreadable(V1ObjectMeta metadata) =>
        (metadata.Annotations ?? new Dictionary<string, string>())
            .Where(a => a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            .Select(a => (a.Key, Entry: LedgerEntry.Parse(a.Value)))
            .Where(a => a.Entry is null || a.Key != KeyOf(a.Entry.Experiment))
            .Select(a => a.Entry is null
                ? $"annotation {a.Key} is not a ledger entry (it does not parse)"
                : $"annotation {a.Key} names experiment {a.Entry.Experiment}, not the one its key names")
            .ToList();

    /// <summary>Adds <paramref name="entry"/> to the object's metadata (in memory; the caller writes the object).</summary>
    public static void Add(V1ObjectMeta metadata, LedgerEntry entry)
    {
        metadata.Annotations ??= new Dictionary<string, string>();
        metadata.Annotations[KeyOf(entry.Experiment)] = entry.ToJson();
        metadata.Labels ??= new Dictionary<string, string>();
        metadata.Labels[Label] = "true";
    }

    /// <summary>Removes the entry of <paramref name="experimentId"/>, and the label and empty maps when it was the last one.</summary>
    public static void Remove(V1ObjectMeta metadata, string experimentId)
    {
        metadata.Annotations?.Remove(KeyOf(experimentId));
        if (metadata.Annotations is { Count: 0 })
        {
            metadata.Annotations = null;
        }

        if (metadata.Annotations?.Keys.Any(k => k.StartsWith(AnnotationPrefix, StringComparison.Ordinal)) != true)
        {
            metadata.Labels?.Remove(Label);
            if (metadata.Labels is { Count: 0 })
            {
                metadata.Labels = null;
            }
        }
    }

    /// <summary>Why the janitor may recover <paramref name="entry"/> now, or null when its run may still be running.</summary>
    public static string? WhyStale(LedgerEntry entry, DateTimeOffset now, bool force)
    {
        if (force)
        {
            return "forced";
        }

        if (now > entry.Deadline)
        {
            return $"past its deadline {entry.Deadline:u}";
        }

        var owner = entry.Owner;
        if (!string.Equals(owner.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (owner.ProcessId == Environment.ProcessId && owner.ProcessStarted == Owner.ProcessStarted)
        {
            return IsActiveHere(entry.Experiment) ? null : "its run in this process has ended";
        }

        return IsAlive(owner) ? null : $"its {owner} is gone";
    }

    private static bool IsAlive(RunOwner owner)
    {
        try
        {
            using var process = Process.GetProcessById(owner.ProcessId);
            if (process.HasExited)
            {
                return false;
            }

            // A recycled pid belongs to another process: compare start times (to the second, as /proc reports them).
            return StartOf(process) is not { } started || Math.Abs((started - owner.ProcessStarted).TotalSeconds) < 2;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static DateTimeOffset? StartOf(Process process)
    {
        try
        {
            return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private sealed class Untrack(string experimentId) : IDisposable
    {
        public void Dispose() => ActiveRuns.TryRemove(experimentId, out _);
    }
}
