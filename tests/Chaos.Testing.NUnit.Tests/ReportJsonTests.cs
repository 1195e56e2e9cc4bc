using System.Text.Json;
using Chaos.Testing.NUnit;

namespace Chaos.Testing.NUnit.Tests;

/// <summary>The JSON attached by ChaosTestBase.Report is read by people: enums by name, quotes unescaped.</summary>
public sealed class ReportJsonTests
{
    [Test]
    public void Report_json_writes_enums_by_name_and_quotes_as_they_are()
    {
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var result = new ChaosResult
        {
            ExperimentId = "0123456789ab",
            Description = "kill one of pods in shop with labels app=cart",
            Verdict = ExperimentVerdict.Aborted,
            Seed = 1,
            StartedAt = start,
            FinishedAt = start.AddSeconds(1),
            FailureReason = "probe \"deployment shop/cart available\" did not hold",
        };

        var json = JsonSerializer.Serialize(result, ChaosTestBase.JsonOptions);

        json.Should().Contain("\"Verdict\": \"Aborted\"")
            .And.Contain("probe \\\"deployment shop/cart available\\\" did not hold")
            .And.NotContain("\\u0022");
    }
}
