using System.Text;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// Reads a CRI log file forward: each call returns the whole lines appended since the previous one, fragments
/// (<c>P</c>) joined to their line. A line still being written (no line end yet) waits for the next call.
/// </summary>
internal sealed class CriLogReader
{
    private readonly string _path;
    private readonly Dictionary<string, (DateTimeOffset Time, StringBuilder Text)> _fragments = new(StringComparer.Ordinal);
    private long _position;

    /// <summary>Initializes a new instance of the <see cref="CriLogReader"/> class at the start of the file.</summary>
    /// <param name="path">The log file; it need not exist yet.</param>
    public CriLogReader(string path)
    {
        _path = path;
    }

    /// <summary>The lines appended since the last call (all of them on the first); none while the file does not exist.</summary>
    /// <returns>The lines in file order.</returns>
    public List<LogLine> ReadNew()
    {
        byte[] bytes;
        try
        {
            using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (file.Length < _position)
            {
                // The file was truncated or replaced: read it again from the start.
                _position = 0;
                _fragments.Clear();
            }

            file.Position = _position;
            bytes = new byte[file.Length - _position];
            bytes = bytes[..file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false)];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        var end = Array.LastIndexOf(bytes, (byte)'\n');
        if (end < 0)
        {
            return [];
        }

        _position += end + 1;
        var lines = new List<LogLine>();
        foreach (var raw in Encoding.UTF8.GetString(bytes, 0, end).Split('\n'))
        {
            if (!CriLogFormat.TryParse(raw, out var time, out var stream, out var partial, out var text))
            {
                continue;
            }

            if (_fragments.Remove(stream, out var started))
            {
                (time, text) = (started.Time, started.Text.Append(text).ToString());
            }

            if (partial)
            {
                _fragments[stream] = (time, new StringBuilder(text));
            }
            else
            {
                lines.Add(new LogLine(time, stream, text));
            }
        }

        return lines;
    }
}
