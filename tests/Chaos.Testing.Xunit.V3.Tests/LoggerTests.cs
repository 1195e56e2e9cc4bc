using Microsoft.Extensions.Logging;

namespace Chaos.Testing.Xunit.V3.Tests;

public sealed class LoggerTests(ITestOutputHelper testOutput)
{
    [Fact]
    public void ToLogger_WritesOneLinePerEntry_FromManyThreads()
    {
        var output = new RecordingOutput();
        var logger = output.ToLogger();

        Parallel.For(0, 100, i => logger.LogInformation("step {Step}", i));
        logger.LogDebug("below the minimum level");

        output.Lines.Should().HaveCount(100).And.Contain("[Information] step 7");
    }

    [Fact]
    public void Provider_PrefixesTheCategory_AndAppendsTheException()
    {
        var output = new RecordingOutput();
        using var provider = new XunitLoggerProvider(output, LogLevel.Debug);

        provider.CreateLogger("Chaos.Testing").LogWarning(new TimeoutException("late"), "event not written");

        output.Lines.Should().ContainSingle().Which.Should()
            .StartWith("[Warning] Chaos.Testing: event not written" + Environment.NewLine + "System.TimeoutException: late");
    }

    [Fact]
    public void ToLogger_OnXunitsOwnOutput_WritesToTheTestsOutput()
    {
        testOutput.ToLogger().LogInformation("inject: kill {Count} pod(s)", 1);

        testOutput.Output.Should().Contain("[Information] inject: kill 1 pod(s)");
    }

    [Fact]
    public void ToLogger_AfterTheTestFinished_DropsTheLine()
    {
        var output = new FinishedOutput();

        var log = () => output.ToLogger().LogInformation("late step");

        log.Should().NotThrow();
    }

    private sealed class RecordingOutput : ITestOutputHelper
    {
        private readonly List<string> _lines = [];

        // The logger serializes its writes: a plain list is enough to detect a race.
        public IReadOnlyList<string> Lines => _lines;

        public string Output => string.Join(Environment.NewLine, _lines);

        public void Write(string message) => _lines.Add(message);

        public void Write(string format, params object[] args) => _lines.Add(string.Format(format, args));

        public void WriteLine(string message) => _lines.Add(message);

        public void WriteLine(string format, params object[] args) => _lines.Add(string.Format(format, args));
    }

    private sealed class FinishedOutput : ITestOutputHelper
    {
        public string Output => string.Empty;

        public void Write(string message) => throw new InvalidOperationException("There is no currently active test.");

        public void Write(string format, params object[] args) => throw new InvalidOperationException("There is no currently active test.");

        public void WriteLine(string message) => throw new InvalidOperationException("There is no currently active test.");

        public void WriteLine(string format, params object[] args) => throw new InvalidOperationException("There is no currently active test.");
    }
}
