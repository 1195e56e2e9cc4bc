namespace Chaos.Testing.Xunit.Tests;

/// <summary>xUnit v2 has no attachments: with CHAOS_REPORTS_DIR, WriteChaosResult writes the reports and the suite summary into the folder and names them in the output.</summary>
[Collection(SerialEnvironment.Name)]
public sealed class ReportsFolderTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chaos-xunit2-reports-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void WriteChaosResult_WithTheVariable_WritesTheFilesNamedAfterTheTestAndTheSummary()
    {
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var result = new ChaosResult
        {
            ExperimentId = "fedcba987654", Description = "kill one of pods in shop", Verdict = ExperimentVerdict.Passed, Seed = 3,
            StartedAt = start, FinishedAt = start.AddSeconds(2),
        };

        using (EnvironmentVariables.Set((ChaosReport.DirectoryVariable, _folder.FullName)))
        {
            output.WriteChaosResult(result);
        }

        var html = Directory.GetFiles(_folder.FullName, "*.chaos.html").Should().ContainSingle().Subject;
        Path.GetFileName(html).Should().Be("Chaos.Testing.Xunit.Tests.ReportsFolderTests.WriteChaosResult_WithTheVariable_WritesTheFilesNamedAfterTheTestAndTheSummary-fedcba987654.chaos.html",
            "named after the test (its display name, made file-safe)");
        File.Exists(Path.Combine(_folder.FullName, "chaos-summary.html")).Should().BeTrue();
        ChaosReport.FromJson(File.ReadAllText(Path.ChangeExtension(html, ".json"))).Verdict.Should().Be(ExperimentVerdict.Passed);
    }
}
