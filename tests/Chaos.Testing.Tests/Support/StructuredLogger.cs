using Microsoft.Extensions.Logging;

namespace Chaos.Testing.Tests.Support;

/// <summary>A logger that keeps each entry's event id, level, message and named fields (what a structured log sink sees).</summary>
public sealed class StructuredLogger : ILogger
{
    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    public IReadOnlyList<Entry> Of(EventId id) => Entries.Where(e => e.Id == id).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        var entry = new Entry(eventId, logLevel, formatter(state, exception), fields.ToDictionary(f => f.Key, f => f.Value));
        lock (_entries)
        {
            _entries.Add(entry);
        }
    }

    public sealed record Entry(EventId Id, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields);
}
