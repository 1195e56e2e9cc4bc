using System.Text;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// Appends a container's output to its log file in the CRI format. Safe to call from the stdout and stderr readers at
/// once: a lock keeps lines whole, and each line is flushed so a reader (<c>kubectl logs -f</c>) sees it at once.
/// </summary>
internal sealed class ContainerLogWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly FileStream _file;
    private readonly TimeProvider _time;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="ContainerLogWriter"/> class: opens (or creates) the file for appending.</summary>
    /// <param name="path">The log file; its directory is created.</param>
    /// <param name="time">The clock of the line times.</param>
    public ContainerLogWriter(string path, TimeProvider time)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _time = time;
    }

    /// <summary>Appends one line; nothing after <see cref="Dispose"/>.</summary>
    /// <param name="stream"><c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="text">The text, without line end.</param>
    /// <param name="partial">Whether the next line of the stream continues it (a line too long for one log line).</param>
    public void Write(string stream, string text, bool partial = false)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _file.Write(Encoding.UTF8.GetBytes(CriLogFormat.Format(_time.GetUtcNow(), stream, partial, text)));
            _file.Flush();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _file.Dispose();
        }
    }
}
