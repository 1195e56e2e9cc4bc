namespace Chaos.Testing.Emulator;

/// <summary>
/// Every request the emulator served, in order. Tests read it to prove what a client did (or did not do: a dry run
/// makes no writes) and reset it between steps.
/// </summary>
public sealed class AuditLog
{
    private readonly object _gate = new();
    private readonly List<AuditEntry> _entries = [];

    /// <summary>Gets a snapshot of the entries recorded since the emulator started or <see cref="Clear"/> was last called.</summary>
    public IReadOnlyList<AuditEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToArray();
            }
        }
    }

    /// <summary>Gets a snapshot of the entries that asked to change the cluster.</summary>
    public IReadOnlyList<AuditEntry> Writes => Entries.Where(e => e.IsWrite).ToArray();

    /// <summary>Forgets every entry recorded so far.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    internal void Record(AuditEntry entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }
}
