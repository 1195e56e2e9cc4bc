using Microsoft.Extensions.Logging;
#if XUNIT_V3
using Xunit;
#else
using Xunit.Abstractions;
#endif

namespace Chaos.Testing.Xunit;

/// <summary>
/// An <see cref="ILoggerProvider"/> whose loggers write one line per entry to xUnit's <see cref="ITestOutputHelper"/>:
/// <c>[Information] category: message</c> (no category part for an empty category). Thread-safe.
/// </summary>
public sealed class XunitLoggerProvider : ILoggerProvider
{
    private readonly ITestOutputHelper _output;
    private readonly LogLevel _minimumLevel;
    private readonly object _gate = new();

    /// <summary>Initializes a new instance of the <see cref="XunitLoggerProvider"/> class.</summary>
    /// <param name="output">The test's output.</param>
    /// <param name="minimumLevel">The lowest level written.</param>
    public XunitLoggerProvider(ITestOutputHelper output, LogLevel minimumLevel = LogLevel.Information)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _minimumLevel = minimumLevel;
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new XunitLogger(this, categoryName ?? string.Empty);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void WriteLine(string line)
    {
        lock (_gate)
        {
            try
            {
                _output.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // xUnit's helper throws this once its test has finished ("There is no currently active test"):
                // a background step of an experiment can still log then, and a lost line must not crash the run.
            }
        }
    }

    private sealed class XunitLogger(XunitLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            var message = formatter(state, exception);
            var line = category.Length == 0 ? $"[{logLevel}] {message}" : $"[{logLevel}] {category}: {message}";
            provider.WriteLine(exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}
