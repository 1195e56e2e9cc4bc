using Microsoft.Extensions.Logging;

namespace Chaos.Testing.Cli;

/// <summary>
/// Progress of the experiment that is running: every <c>interval</c> one line on the error stream with the elapsed time,
/// the time left of its hold, and the engine's last step (injected, a probe's state, recovering). Short runs print nothing.
/// Also the logger the engine writes its steps to.
/// </summary>
internal sealed class HoldProgress(TextWriter error, TimeSpan interval, TimeProvider time) : ILogger, IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private string? _name;
    private TimeSpan? _hold;
    private DateTimeOffset _started;
    private DateTimeOffset? _holding;
    private string _step = "starting";
    private Task? _ticker;

    /// <summary>Marks <paramref name="manifest"/> as the running one, with its hold (null: no hold, e.g. pod-kill).</summary>
    public void Started(ChaosManifest manifest, TimeSpan? hold)
    {
        lock (_gate)
        {
            (_name, _hold, _started, _holding, _step) = (manifest.Key, hold, time.GetUtcNow(), null, "starting");
        }

        _ticker ??= TickAsync(_stop.Token);
    }

    /// <summary>The current line, or null when nothing runs.</summary>
    public string? Line()
    {
        lock (_gate)
        {
            if (_name is null)
            {
                return null;
            }

            var elapsed = time.GetUtcNow() - _started;
            var held = _holding is { } since ? time.GetUtcNow() - since : (TimeSpan?)null;
            var remaining = (_hold, held) switch
            {
                ({ } hold, { } h) => $", {Text(hold - h > TimeSpan.Zero ? hold - h : TimeSpan.Zero)} of its {Text(hold)} hold left",
                ({ } hold, null) => $", hold of {Text(hold)} not started",
                _ => string.Empty,
            };
            return $"… {_name}: {Text(elapsed)} elapsed{remaining}; last step: {_step}";
        }
    }

    public void Done()
    {
        lock (_gate)
        {
            _name = null;
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            lock (_gate)
            {
                _step = CliOutput.Clean(formatter(state, exception), 160);
                _holding ??= eventId.Id == ChaosLogEvents.Hold.Id ? time.GetUtcNow() : null; // the engine's hold step, by its id
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_ticker is not null)
        {
            try
            {
                await _ticker;
            }
            catch (OperationCanceledException)
            {
                // Stopped on purpose.
            }
        }

        _stop.Dispose();
    }

    private static string Text(TimeSpan value) => value.TotalHours >= 1 ? value.ToString(@"h\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : value.ToString(@"m\:ss", System.Globalization.CultureInfo.InvariantCulture);

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(interval, time, cancellationToken);
            if (Line() is { } line)
            {
                await error.WriteLineAsync(line);
            }
        }
    }
}
