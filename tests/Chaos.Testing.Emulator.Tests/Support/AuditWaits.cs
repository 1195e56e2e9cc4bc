namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>Reading the audit log without racing the server (see <c>AuditLogTests.Entries_RightAfterEachCall_AlreadyContainThatCall</c>).</summary>
public static class AuditWaits
{
    /// <summary>Waits until the log holds at least <paramref name="count"/> entries, and returns them.</summary>
    /// <param name="log">The audit log.</param>
    /// <param name="count">How many requests were made since the log was cleared.</param>
    /// <returns>The entries.</returns>
    public static Task<IReadOnlyList<AuditEntry>> EntriesAsync(this AuditLog log, int count)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Eventually.MatchAsync(
            () => Task.FromResult(log.Entries),
            entries => entries.Count >= count,
            $"the audit log records {count} requests",
            describe: entries => string.Join(", ", entries));
    }
}
