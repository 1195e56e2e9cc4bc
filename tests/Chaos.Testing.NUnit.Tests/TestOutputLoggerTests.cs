using Chaos.Testing.NUnit;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing.NUnit.Tests;

/// <summary>The NUnit logger: every line to the test's output, what happens during a hold to the live progress too.</summary>
public sealed class TestOutputLoggerTests
{
    [Test]
    public void HoldProgressAndProbeTransitions_GoToTheLiveProgressToo_OtherStepsOnlyToTheOutput()
    {
        using var output = new StringWriter();
        using var progress = new StringWriter();
        var logger = new TestOutputLogger(output, progress);

        logger.LogInformation(ChaosLogEvents.Hold, "{Phase}: {Message}", "hold", "holding for 30s");
        logger.LogInformation(ChaosLogEvents.ProbeBroken, "probe {Probe} broke at {At:HH:mm:ss.fff}", "checkout", new DateTimeOffset(2026, 1, 1, 10, 0, 1, TimeSpan.Zero));
        logger.LogInformation(ChaosLogEvents.HoldProgress, "hold: {ElapsedSeconds:0.#}s elapsed, {RemainingSeconds:0.#}s remaining; {ProbeStates}", 5.0, 25.0, "\"checkout\" broken for 4s (false)");

        output.ToString().Should().Contain("[Information] hold: holding for 30s")
            .And.Contain("[Information] probe checkout broke at 10:00:01.000")
            .And.Contain("[Information] hold: 5s elapsed, 25s remaining; \"checkout\" broken for 4s (false)");
        progress.ToString().Should().NotContain("holding for 30s")
            .And.Contain("[Information] probe checkout broke at 10:00:01.000")
            .And.Contain("[Information] hold: 5s elapsed, 25s remaining");
    }
}
