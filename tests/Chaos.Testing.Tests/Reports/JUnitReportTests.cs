using System.Xml.Linq;

namespace Chaos.Testing.Tests.Reports;

/// <summary>The JUnit XML report: what CI systems render of an experiment.</summary>
public sealed class JUnitReportTests
{
    [Fact]
    public void ToJUnitXml_FailedResult_IsAFailureWhoseMessageIsTheReason()
    {
        var result = ReportSamples.Failed();

        var xml = XDocument.Parse(result.ToJUnitXml());

        var testCase = xml.Descendants("testcase").Should().ContainSingle().Subject;
        testCase.Attribute("name")!.Value.Should().Be(result.Description, "the hostile name comes back as it was, escaped only in the file");
        testCase.Attribute("time")!.Value.Should().Be("14");
        var failure = testCase.Element("failure");
        failure.Should().NotBeNull("a failed experiment is a failed test case");
        failure!.Attribute("message")!.Value.Should().Be(result.FailureReason!.Replace('\u0001', '\uFFFD'), "XML cannot carry a control character");
        failure.Value.Should().Contain("Verdict: Failed   seed: 424242");
        testCase.Descendants("property").Should().Contain(p => p.Attribute("name")!.Value == "seed" && p.Attribute("value")!.Value == "424242");
        xml.Root!.Attribute("failures")!.Value.Should().Be("1");
    }

    [Fact]
    public void ToJUnitXml_Suite_HasATestCasePerExperimentAndCountsByVerdict()
    {
        var dryRun = ReportSamples.Passed("d1d1d1d1d1d1", 90) with { DryRun = true };

        var xml = XDocument.Parse(new[] { ReportSamples.Failed(), ReportSamples.Passed(), ReportSamples.Aborted(), dryRun }.ToJUnitXml("nightly"));

        var suite = xml.Root!.Element("testsuite")!;
        suite.Attribute("name")!.Value.Should().Be("nightly");
        suite.Elements("testcase").Should().HaveCount(4);
        (suite.Attribute("tests")!.Value, suite.Attribute("failures")!.Value, suite.Attribute("errors")!.Value, suite.Attribute("skipped")!.Value)
            .Should().Be(("4", "1", "1", "1"));
        var aborted = suite.Elements("testcase").Single(t => t.Element("error") is not null);
        aborted.Element("error")!.Attribute("message")!.Value.Should().StartWith("the steady state did not hold before injection");
        suite.Elements("testcase").Where(t => t.Element("failure") is null && t.Element("error") is null && t.Element("skipped") is null)
            .Should().ContainSingle("only the real passed run passes; a dry run is skipped");
    }
}
