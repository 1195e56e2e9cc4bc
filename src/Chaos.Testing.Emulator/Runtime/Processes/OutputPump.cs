using System.Text;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// Copies one output stream of a container into its log, line by line. A line longer than 16 KiB is written in
/// fragments (<c>P</c>, as the CRI log does), and a last line without line end is written when the stream ends.
/// </summary>
internal static class OutputPump
{
    /// <summary>
    /// What util-linux 2.38.1's <c>unshare --fork</c> prints when its child was killed by SIGKILL: it then exits 1
    /// instead of dying by the signal. The line is unshare's, not the container's, so it stays out of the log.
    /// </summary>
    internal const string UnshareKilledLine = "unshare: sigprocmask unblock failed: Invalid argument";

    private const int MaxLineBytes = 16 * 1024;

    /// <summary>Copies <paramref name="source"/> into the log until it ends.</summary>
    /// <param name="source">The stream (the read end of the container's stdout or stderr pipe).</param>
    /// <param name="stream"><c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="log">The log.</param>
    /// <param name="written">Called with each line written (and each fragment).</param>
    /// <param name="unshareKilled">Called when unshare's SIGKILL line was seen on stderr.</param>
    /// <returns>A task that completes when the stream ended (every process holding the pipe exited).</returns>
    public static async Task RunAsync(Stream source, string stream, ContainerLogWriter log, Action<string> written, Action unshareKilled)
    {
        var buffer = new byte[8192];
        var line = new List<byte>();
        int read;
        while ((read = await ReadAsync(source, buffer)) > 0)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    Emit(line, stream, log, partial: false, written, unshareKilled);
                }
                else
                {
                    line.Add(b);
                    if (line.Count >= MaxLineBytes)
                    {
                        Emit(line, stream, log, partial: true, written, unshareKilled);
                    }
                }
            }
        }

        if (line.Count > 0)
        {
            Emit(line, stream, log, partial: false, written, unshareKilled);
        }
    }

    private static async Task<int> ReadAsync(Stream source, byte[] buffer)
    {
        try
        {
            return await source.ReadAsync(buffer);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return 0; // The pipe was closed under us (disposal): the stream ended.
        }
    }

    private static void Emit(List<byte> line, string stream, ContainerLogWriter log, bool partial, Action<string> written, Action unshareKilled)
    {
        var bytes = line.ToArray();
        var keep = bytes.Length;
        if (partial)
        {
            while (keep > 0 && (bytes[keep - 1] & 0xC0) == 0x80)
            {
                keep--; // Cut before the character this byte continues, which goes to the next fragment.
            }

            if (keep > 0 && bytes[keep - 1] >= 0xC0)
            {
                keep--;
            }

            keep = keep == 0 ? bytes.Length : keep;
        }

        line.RemoveRange(0, keep);
        var text = Encoding.UTF8.GetString(bytes, 0, keep);
        if (!partial && stream == "stderr" && text.EndsWith(UnshareKilledLine, StringComparison.Ordinal))
        {
            // A last line of the container without line end may precede it on the same pipe.
            unshareKilled();
            text = text[..^UnshareKilledLine.Length];
            if (text.Length == 0)
            {
                return;
            }
        }

        log.Write(stream, text, partial);
        written(text);
    }
}
