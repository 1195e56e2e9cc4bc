namespace Chaos.Testing.Tests.Reports;

/// <summary>Results to render: a failed run whose pod name and messages are hostile (script tags, quotes, control characters).</summary>
internal static class ReportSamples
{
    /// <summary>A pod name no HTML, XML or JSON writer may pass through raw: it tries to run script and to inject an element.</summary>
    public const string HostilePod = "cart-<script>document.body.setAttribute('data-pwned','1')</script>\"'><img src=x id=injected>";

    public const string HostileMessage = "503 from </script><b id=\"bold\">\"quoted\"</b> & \u0001bell";

    public static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, 250, TimeSpan.Zero);

    public static ChaosResult Failed(string id = "a1b2c3d4e5f6") => new()
    {
        ExperimentId = id,
        Description = $"kill one of pods in shop with labels app=cart ({HostilePod})",
        Verdict = ExperimentVerdict.Failed,
        Seed = 424242,
        StartedAt = Start,
        FinishedAt = Start.AddSeconds(14),
        FailureReason = $"probe \"http cart\" did not recover within 5s: {HostileMessage}",
        Phases =
        [
            new("plan", Start, Start.AddMilliseconds(300)),
            new("check-before", Start.AddMilliseconds(300), Start.AddSeconds(1)),
            new("inject", Start.AddSeconds(1), Start.AddSeconds(1.5)),
            new("hold", Start.AddSeconds(1.5), Start.AddSeconds(11.5)),
            new("recover", Start.AddSeconds(11.5), Start.AddSeconds(12)),
            new("check-after", Start.AddSeconds(12), Start.AddSeconds(14)),
        ],
        Affected = [new AffectedTarget("Pod", "shop", HostilePod, "killed (grace 0s)", Start.AddSeconds(1.2))],
        Probes =
        [
            new("http cart", "during, recovers within 5s", Held: false, $"did not recover: {HostileMessage}", null,
            [
                new ProbeSample(Start.AddSeconds(0.4), true, "200 in 12 ms"),
                new ProbeSample(Start.AddSeconds(1.3), false, HostileMessage),
                new ProbeSample(Start.AddSeconds(13), false, "timeout after 2s"),
            ]),
            new("pods shop app=cart ready", "before and after", Held: true, null, TimeSpan.FromSeconds(3.5),
            [
                new ProbeSample(Start.AddSeconds(0.5), true, "3 of 3 pods ready"),
                new ProbeSample(Start.AddSeconds(1.25), false, "2 of 3 pods ready"),
                new ProbeSample(Start.AddSeconds(4.5), true, "3 of 3 pods ready"),
            ]),
        ],
        Timeline =
        [
            new(Start, "plan", "experiment a1b2c3d4e5f6: kill one, hold 10s, seed 424242"),
            new(Start.AddSeconds(1), "inject", "kill 1 pod(s)"),
            new(Start.AddSeconds(14), "report", $"Failed: {HostileMessage}"),
        ],
        Errors = [$"could not record the event on pod shop/{HostilePod}: {HostileMessage}"],
    };

    public static ChaosResult Passed(string id = "0f0f0f0f0f0f", int offsetSeconds = 30) => new()
    {
        ExperimentId = id,
        Description = "cpu stress on one of pods in shop with labels app=cart",
        Verdict = ExperimentVerdict.Passed,
        Seed = 7,
        StartedAt = Start.AddSeconds(offsetSeconds),
        FinishedAt = Start.AddSeconds(offsetSeconds + 6),
        TimeToRecovery = TimeSpan.Zero,
        Phases = [new("plan", Start.AddSeconds(offsetSeconds), Start.AddSeconds(offsetSeconds + 1)), new("hold", Start.AddSeconds(offsetSeconds + 1), Start.AddSeconds(offsetSeconds + 6))],
        Probes = [new("pods ready", "during", true, null, TimeSpan.Zero, [new ProbeSample(Start.AddSeconds(offsetSeconds + 0.5), true, "3 of 3 pods ready")])],
    };

    public static ChaosResult Aborted(string id = "abababababab") => Passed(id, 60) with
    {
        Verdict = ExperimentVerdict.Aborted,
        FailureReason = "the steady state did not hold before injection: probe \"pods ready\" observed 1 of 3 pods ready; nothing was injected",
        TimeToRecovery = null,
    };
}
