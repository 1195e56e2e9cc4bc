using System.Runtime.CompilerServices;
using System.Text;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// Reads container logs in the CRI format (<c>&lt;RFC3339Nano UTC&gt; stdout|stderr F &lt;text&gt;</c>, written by
/// <see cref="ContainerLogWriter"/>) the way the kubelet serves <c>kubectl logs</c>: tail, since, byte limit, follow.
/// </summary>
internal static class ContainerLog
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>The lines <paramref name="query"/> selects: the last <see cref="LogQuery.TailLines"/>, of those the ones since
    /// <see cref="LogQuery.SinceTime"/>, up to <see cref="LogQuery.LimitBytes"/> (the kubelet's order).</summary>
    /// <param name="path">The log file; a missing one has no lines.</param>
    /// <param name="query">Which lines.</param>
    /// <returns>The lines in order.</returns>
    public static IReadOnlyList<LogLine> Read(string path, LogQuery query)
    {
        var limit = new ByteLimit(query.LimitBytes);
        return Select(new CriLogReader(path).ReadNew(), query.TailLines, query.SinceTime, limit).ToList();
    }

    /// <summary>
    /// The end of the log as a termination message (<c>terminationMessagePolicy: FallbackToLogsOnError</c>): the text
    /// of the last <paramref name="maxLines"/> lines, cut to the last <paramref name="maxBytes"/> bytes.
    /// </summary>
    /// <param name="path">The log file.</param>
    /// <param name="maxLines">At most this many lines (the kubelet takes 80).</param>
    /// <param name="maxBytes">At most this many bytes.</param>
    /// <returns>The text, lines joined by line ends; empty for an empty log.</returns>
    public static string Tail(string path, int maxLines = 80, int maxBytes = 4096)
    {
        var text = string.Join('\n', Read(path, new LogQuery(TailLines: maxLines)).Select(l => l.Text));
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= maxBytes)
        {
            return text;
        }

        var start = bytes.Length - maxBytes;
        while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80)
        {
            start++; // Not in the middle of a character.
        }

        return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }

    /// <summary>
    /// Follows the log (<c>kubectl logs -f</c>): the lines <paramref name="query"/> selects now, then each new line, until
    /// <paramref name="stopWhen"/> completes (the container exited) and what was written before is read, or the byte limit is reached.
    /// </summary>
    /// <param name="path">The log file; it may appear later.</param>
    /// <param name="query">Tail and since select the first lines; since and the byte limit apply to all.</param>
    /// <param name="stopWhen">Completes when no more lines will come.</param>
    /// <param name="cancellationToken">Ends the following (the client went away).</param>
    /// <returns>The lines as they come.</returns>
    public static async IAsyncEnumerable<LogLine> FollowAsync(
        string path, LogQuery query, Task stopWhen, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = new CriLogReader(path);
        var limit = new ByteLimit(query.LimitBytes);
        var tail = query.TailLines;
        while (true)
        {
            // Seen before the read, so that the last read has everything written before the stop.
            var stopping = stopWhen.IsCompleted;
            foreach (var line in Select(reader.ReadNew(), tail, query.SinceTime, limit))
            {
                yield return line;
            }

            tail = null;
            if (stopping || limit.Reached)
            {
                yield break;
            }

            await Task.WhenAny(Task.Delay(FollowPoll, cancellationToken), stopWhen);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static IEnumerable<LogLine> Select(List<LogLine> lines, int? tail, DateTimeOffset? since, ByteLimit limit)
    {
        var selected = tail is { } n ? lines.Skip(Math.Max(0, lines.Count - Math.Max(0, n))) : lines;
        foreach (var line in selected.Where(l => since is null || l.Time >= since))
        {
            if (limit.Take(line) is not { } taken)
            {
                yield break;
            }

            yield return taken;
        }
    }

    /// <summary>The bytes still allowed by <see cref="LogQuery.LimitBytes"/>; each line counts with its line end.</summary>
    private sealed class ByteLimit(long? limit)
    {
        private long? _left = limit;

        public bool Reached => _left <= 0;

        /// <summary>The line, cut when it crosses the limit, or null once the limit is reached.</summary>
        public LogLine? Take(LogLine line)
        {
            if (_left is not { } left)
            {
                return line;
            }

            if (left <= 0)
            {
                return null;
            }

            var bytes = Encoding.UTF8.GetBytes(line.Text + "\n");
            if (bytes.Length <= left)
            {
                _left = left - bytes.Length;
                return line;
            }

            var cut = (int)left;
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
            {
                cut--; // Not in the middle of a character.
            }

            _left = 0;
            return line with { Text = Encoding.UTF8.GetString(bytes, 0, cut) };
        }
    }
}
