using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Chaos.Testing.NUnit;

/// <summary>
/// An <see cref="ILogger"/> writing <c>[Level] message</c> lines to a test's output (<see cref="TestContext.Out"/>). What
/// happens during a hold (<see cref="ChaosLogEvents.HoldProgress"/>, <see cref="ChaosLogEvents.ProbeBroken"/>,
/// <see cref="ChaosLogEvents.ProbeRecovered"/>) also goes to <see cref="TestContext.Progress"/>, which the runner shows
/// at once: a long hold is not silent while it runs.
/// </summary>
internal sealed class TestOutputLogger(TextWriter? writer = null, TextWriter? progress = null) : ILogger
{
    private readonly object _gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"[{logLevel}] {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}";
        lock (_gate)
        {
            (writer ?? TestContext.Out).WriteLine(line);
            if (IsHoldProgress(eventId))
            {
                (progress ?? TestContext.Progress).WriteLine(line);
            }
        }
    }

    private static bool IsHoldProgress(EventId id) =>
        id == ChaosLogEvents.HoldProgress || id == ChaosLogEvents.ProbeBroken || id == ChaosLogEvents.ProbeRecovered;
}
