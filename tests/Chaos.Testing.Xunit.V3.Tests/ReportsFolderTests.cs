using System.Xml.Linq;

namespace Chaos.Testing.Xunit.V3.Tests;

/// <summary>WriteChaosResult attaches the JSON and HTML reports and, with CHAOS_REPORTS_DIR, writes them and the suite summary into the folder.</summary>
[Collection(SerialEnvironment.Name)]
public sealed class ReportsFolderTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chaos-xunit3-reports-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void WriteChaosResult_WithTheVariable_WritesTheFilesNamedAfterTheTestAndTheSummary()
    {
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var result = new ChaosResult
        {
            ExperimentId = "fedcba987654", Description = "kill one of pods in shop", Verdict = ExperimentVerdict.Failed, Seed = 3,
            StartedAt = start, FinishedAt = start.AddSeconds(2), FailureReason = "probe \"cart\" did not recover",
        };

        using (EnvironmentVariables.Set((ChaosReport.DirectoryVariable, _folder.FullName)))
        {
            output.WriteChaosResult(result);
        }

        var files = Directory.GetFiles(_folder.FullName).Select(Path.GetFileName).ToList();
        files.Should().Contain(f => f!.EndsWith("WriteChaosResult_WithTheVariable_WritesTheFilesNamedAfterTheTestAndTheSummary-fedcba987654.chaos.html", StringComparison.Ordinal))
            .And.Contain("chaos-summary.html").And.Contain("chaos-summary.junit.xml");
        XDocument.Load(Path.Combine(_folder.FullName, "chaos-summary.junit.xml")).Descendants("failure").Should().ContainSingle()
            .Which.Attribute("message")!.Value.Should().Be("probe \"cart\" did not recover");
        TestContext.Current.Attachments.Should().ContainKey(TestOutputHelperExtensions.HtmlAttachmentName(result));
    }
}
