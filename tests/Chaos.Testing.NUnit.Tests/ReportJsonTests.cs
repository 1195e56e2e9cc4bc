using System.Text.Json;
using Chaos.Testing.NUnit;
using NUnit.Framework.Internal;

namespace Chaos.Testing.NUnit.Tests;

/// <summary>What ChaosTestBase.Report attaches to the test, and writes into the reports folder (CHAOS_REPORTS_DIR).</summary>
[NonParallelizable]
public sealed class ReportJsonTests
{
    private static ChaosResult Result()
    {
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        return new ChaosResult
        {
            ExperimentId = "0123456789ab",
            Description = "kill one of pods in shop with labels app=cart",
            Verdict = ExperimentVerdict.Aborted,
            Seed = 1,
            StartedAt = start,
            FinishedAt = start.AddSeconds(1),
            FailureReason = "probe \"deployment shop/cart available\" did not hold",
            Phases = [new PhaseSpan("plan", start, start.AddSeconds(1))],
        };
    }

    [Test]
    public void Report_attaches_the_json_report_and_the_html_report()
    {
        var json = ChaosTestBase.ReportToTest(Result());

        var attachments = TestExecutionContext.CurrentContext.CurrentResult.TestAttachments;
        attachments.Select(a => a.Description).Should().Equal("chaos result", "chaos report");
        var text = File.ReadAllText(json);
        text.Should().Contain("\"verdict\": \"Aborted\"").And.Contain("probe \\\"deployment shop/cart available\\\" did not hold").And.NotContain("\\u0022");
        File.ReadAllText(attachments.Single(a => a.Description == "chaos report").FilePath).Should()
            .StartWith("<!DOCTYPE html>").And.Contain("<p class=\"verdict\">Aborted</p>");
    }

    [Test]
    public void Report_with_CHAOS_REPORTS_DIR_writes_the_results_files_and_the_suite_summary_there()
    {
        var folder = Directory.CreateTempSubdirectory("chaos-nunit-reports-");
        var previous = Environment.GetEnvironmentVariable(ChaosReport.DirectoryVariable);
        Environment.SetEnvironmentVariable(ChaosReport.DirectoryVariable, folder.FullName);
        try
        {
            ChaosTestBase.ReportToTest(Result());

            var stem = $"Chaos.Testing.NUnit.Tests.ReportJsonTests.Report_with_CHAOS_REPORTS_DIR_writes_the_results_files_and_the_suite_summary_there-0123456789ab";
            Directory.GetFiles(folder.FullName).Select(Path.GetFileName).Should().BeEquivalentTo(
                $"{stem}.chaos.json", $"{stem}.chaos.html", $"{stem}.chaos.junit.xml", "chaos-summary.json", "chaos-summary.html", "chaos-summary.junit.xml");
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.FullName, "chaos-summary.json")));
            summary.RootElement.EnumerateArray().Should().ContainSingle().Which.GetProperty("experimentId").GetString().Should().Be("0123456789ab");
            TestExecutionContext.CurrentContext.CurrentResult.Output.Should().Contain($"Chaos report: {Path.Combine(folder.FullName, stem)}.chaos.html");
        }
        finally
        {
            Environment.SetEnvironmentVariable(ChaosReport.DirectoryVariable, previous);
            folder.Delete(recursive: true);
        }
    }
}
