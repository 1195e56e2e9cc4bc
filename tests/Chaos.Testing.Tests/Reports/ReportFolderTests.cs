using System.Xml.Linq;

namespace Chaos.Testing.Tests.Reports;

/// <summary>The reports folder: every result's files and a suite summary of all results in it, from any process.</summary>
[Collection(nameof(ReportFolderTests))]
public sealed class ReportFolderTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chaos-reports-");

    public void Dispose()
    {
        ChaosReport.Directory = null;
        _folder.Delete(recursive: true);
    }

    [Fact]
    public void Publish_WithoutAFolder_WritesNothing()
    {
        var previous = Environment.GetEnvironmentVariable(ChaosReport.DirectoryVariable);
        Environment.SetEnvironmentVariable(ChaosReport.DirectoryVariable, null);
        try
        {
            ChaosReport.Publish(ReportSamples.Passed()).Should().BeNull();
        }
        finally
        {
            Environment.SetEnvironmentVariable(ChaosReport.DirectoryVariable, previous);
        }
    }

    [Fact]
    public void Directory_ComesFromTheEnvironmentVariable_UnlessSet()
    {
        var previous = Environment.GetEnvironmentVariable(ChaosReport.DirectoryVariable);
        Environment.SetEnvironmentVariable(ChaosReport.DirectoryVariable, _folder.FullName);
        try
        {
            ChaosReport.Directory.Should().Be(_folder.FullName);
            ChaosReport.Directory = "/elsewhere";
            ChaosReport.Directory.Should().Be("/elsewhere", "the option wins over the variable");
        }
        finally
        {
            Environment.SetEnvironmentVariable(ChaosReport.DirectoryVariable, previous);
        }
    }

    [Fact]
    public void Publish_WritesTheResultsFilesAndASummaryOfEveryResultInTheFolder()
    {
        // A result another process (another test assembly) published earlier into the same folder.
        ReportSamples.Aborted().WriteFiles(_folder.FullName, "OtherAssembly.Test");
        ChaosReport.Directory = _folder.FullName;

        var failed = ChaosReport.Publish(ReportSamples.Failed(), "Shop.Cart <kill> \"one\"")!;
        ChaosReport.Publish(ReportSamples.Passed());

        Path.GetFileName(failed.Html).Should().Be("Shop.Cart_kill_one_-a1b2c3d4e5f6.chaos.html", "the test name is made file-safe");
        File.Exists(failed.Json).Should().BeTrue();
        File.Exists(failed.JUnitXml).Should().BeTrue();
        ChaosReport.FromJson(File.ReadAllText(failed.Json)).ExperimentId.Should().Be("a1b2c3d4e5f6");
        var summary = XDocument.Load(Path.Combine(_folder.FullName, "chaos-summary.junit.xml"));
        summary.Descendants("testcase").Select(t => t.Descendants("property").Single(p => p.Attribute("name")!.Value == "experimentId").Attribute("value")!.Value)
            .Should().Equal(["a1b2c3d4e5f6", "0f0f0f0f0f0f", "abababababab"], "every result in the folder, by start");
        File.ReadAllText(Path.Combine(_folder.FullName, "chaos-summary.html")).Should().Contain("3 experiment(s): 1 passed, 1 failed, 1 aborted");
        Directory.GetFiles(_folder.FullName, "*.tmp").Should().BeEmpty("files are written whole, then moved into place");
    }
}
