using System.Diagnostics;
using System.Text.RegularExpressions;
using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Reports;

/// <summary>The HTML report as a browser renders it: the chart the script draws, the verdict, and no markup from the cluster's strings.</summary>
public sealed partial class HtmlReportBrowserTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("chaos-report-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task FailedResult_RendersTimelineChartVerdictAndHostileNamesAsText()
    {
        var file = Path.Combine(_folder.FullName, "failed.html");
        await File.WriteAllTextAsync(file, ReportSamples.Failed().ToHtml());
        var watch = Stopwatch.StartNew();

        var dom = await HeadlessChromium.DumpDomAsync(file);

        Console.WriteLine($"chromium rendered the report in {watch.ElapsedMilliseconds} ms");
        // Drawn by the script: six phase bands, one segment per probe sample (3 + 3), one affected marker, the legend.
        Count(dom, "<svg[^>]*class=\"timeline\"").Should().Be(1, "the script draws one timeline chart");
        Count(dom, "<rect[^>]*class=\"phase phase-").Should().Be(6 + 6, "a band per phase, and a legend swatch per phase");
        Phases(dom).Should().Equal("plan", "check-before", "inject", "hold", "recover", "check-after");
        Count(dom, "<rect[^>]*class=\"sample sample-broken\"").Should().Be(3, "the broken samples are drawn as broken");
        Count(dom, "<rect[^>]*class=\"sample sample-held\"").Should().Be(3, "the held samples are drawn as held");
        Count(dom, "<path[^>]*class=\"affected-mark\"").Should().Be(1, "the killed pod is marked on the chart");
        dom.Should().Contain("<p class=\"verdict\">Failed</p>", "the verdict is shown").And.Contain("seed 424242 · Failed", "the chart's caption names seed and verdict");

        // The hostile pod name and message are shown as text, and none of their markup became an element or ran.
        dom.Should().NotContain("data-pwned=\"1\"", "the script in the pod name must not run")
            .And.NotContain("<img", "the img in the pod name must not become an element (a serialized DOM writes text's < as &lt;)")
            .And.NotContain("<b ", "the markup in the message must not become an element")
            .And.Contain("&lt;img src=x id=injected&gt;", "the pod name is shown as text")
            .And.Contain("503 from &lt;/script&gt;&lt;b id=\"bold\"&gt;", "the message is shown as text");
        Count(dom, "<script").Should().Be(2, "only the report's data and its own script are script elements");
    }

    [Fact]
    public async Task Suite_RendersSummaryTableAndAChartPerExperiment()
    {
        var file = Path.Combine(_folder.FullName, "suite.html");
        await File.WriteAllTextAsync(file, new[] { ReportSamples.Failed(), ReportSamples.Passed(), ReportSamples.Aborted() }.ToHtml("nightly chaos"));

        var dom = await HeadlessChromium.DumpDomAsync(file);

        Count(dom, "<svg[^>]*class=\"timeline\"").Should().Be(3, "each experiment has its chart");
        dom.Should().Contain("3 experiment(s): 1 passed, 1 failed, 1 aborted", "the summary counts the verdicts");
        Count(dom, "<tr class=\"verdict-").Should().Be(3, "the summary table has a row per experiment");
        dom.Should().NotContain("data-pwned=\"1\"", "no script from the cluster runs").And.NotContain("<img", "no element from the cluster");
    }

    private static int Count(string dom, string pattern) => Regex.Count(dom, pattern);

    private static List<string> Phases(string dom) => PhaseBand().Matches(dom).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("<rect[^>]*class=\"phase phase-[a-z-]+\" data-phase=\"([a-z-]+)\"")]
    private static partial Regex PhaseBand();
}
