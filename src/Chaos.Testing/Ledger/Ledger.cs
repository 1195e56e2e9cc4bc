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

    /// <summary>How long after the planned end of a run its Lease is still renewed (a run that outlives this is recovered as hung).</summary>
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

    /// <summary>The entries on <paramref name="metadata"/> that are sealed with <paramref name="key"/> for this object; the rest are <see cref="Unreadable"/>.</summary>
    public static IReadOnlyList<LedgerEntry> EntriesOf(V1ObjectMeta metadata, LedgerKey? key) =>
        Read(metadata, key).Where(e => e.Problem is null).Select(e => e.Entry!).ToList();

    /// <summary>
    /// This run's entry on <paramref name="metadata"/>, or null when there is none; an annotation under its key that is not
    /// an entry sealed with <paramref name="key"/> for this object throws <see cref="InvalidDataException"/> (never acted on).
    /// </summary>
    public static LedgerEntry? EntryOf(V1ObjectMeta metadata, string experimentId, LedgerKey? key)
    {
        if (metadata.Annotations?.ContainsKey(KeyOf(experimentId)) != true)
        {
            return null;
        }

        var (_, entry, problem) = Read(metadata, key).Single(e => e.Key == KeyOf(experimentId));
        return problem is null
            ? entry
            : throw new InvalidDataException($"{LedgerWrites.Describe(metadata)}: {problem}. Nothing was changed; the annotation stays for a person to inspect.");
    }

    /// <summary>Whether <paramref name="metadata"/> carries an annotation under this run's key (its content is not read).</summary>
    public static bool Has(V1ObjectMeta metadata, string experimentId) => metadata.Annotations?.ContainsKey(KeyOf(experimentId)) == true;

    /// <summary>
    /// The entries that claim <paramref name="metadata"/>, sealed or not: only ever used to refuse (a claim nobody can
    /// verify still keeps another experiment off the object), never to act.
    /// </summary>
    public static IReadOnlyList<LedgerEntry> ClaimsOn(V1ObjectMeta metadata) =>
        (metadata.Annotations ?? new Dictionary<string, string>())
            .Where(a => a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            .Select(a => (a.Key, Entry: LedgerEntry.Parse(a.Value)))
            .Where(a => a.Entry is not null && a.Key == KeyOf(a.Entry.Experiment))
            .Select(a => a.Entry!)
            .ToList();

    /// <summary>
    /// The ledger annotations that are not entries this library sealed for this object (they do not parse, name another
    /// experiment than their key, or fail verification): never acted on, reported by the janitor.
    /// </summary>
    public static IReadOnlyList<string> Unreadable(V1ObjectMeta metadata, LedgerKey? key, string? keyProblem = null) =>
        Read(metadata, key, keyProblem).Where(e => e.Problem is not null).Select(e => e.Problem!).ToList();

    private static IEnumerable<(string Key, LedgerEntry? Entry, string? Problem)> Read(V1ObjectMeta metadata, LedgerKey? key, string? keyProblem = null)
    {
        foreach (var (name, value) in metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (!name.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var entry = LedgerEntry.Parse(value);
            if (entry is null)
            {
                yield return (name, null, $"annotation {name} is not a ledger entry (it does not parse)");
            }
            else if (name != KeyOf(entry.Experiment))
            {
                yield return (name, null, $"annotation {name} names experiment {entry.Experiment}, not the one its key names");
            }
            else if (key is null)
            {
                yield return (name, null, $"annotation {name} cannot be verified: {keyProblem ?? "no ledger key"}");
            }
            else if (!key.Verifies(metadata, name, entry.UnsealedJson(), entry.Seal))
            {
                yield return (name, null,
                    $"annotation {name} fails verification against the ledger key ({key.Source}): it was not written by a run with this key "
                    + "for this object, or it was changed since (a forged or copied entry, or one from before the key was replaced)");
            }
            else
            {
                yield return (name, entry with { Key = key }, null);
            }
        }
    }

    /// <summary>Adds <paramref name="entry"/>, sealed with its key for this object, to the metadata (in memory; the caller writes the object).</summary>
    public static void Add(V1ObjectMeta metadata, LedgerEntry entry)
    {
        var key = entry.Key ?? throw new InvalidOperationException($"The ledger entry of experiment {entry.Experiment} has no key to seal it with.");
        if (string.IsNullOrEmpty(metadata.Uid))
        {
            throw new InvalidOperationException($"{LedgerWrites.Describe(metadata)} has no uid: a ledger entry is sealed for the object as read from the cluster.");
        }

        metadata.Annotations ??= new Dictionary<string, string>();
        var annotation = KeyOf(entry.Experiment);
        var unsealed = entry with { Seal = null };
        metadata.Annotations[annotation] = (unsealed with { Seal = key.Seal(metadata, annotation, unsealed.UnsealedJson()) }).ToJson();
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
