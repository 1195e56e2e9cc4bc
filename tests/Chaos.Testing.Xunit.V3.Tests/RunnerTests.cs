using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Chaos.Testing.Xunit.V3.Tests;

/// <summary>
/// Runs the tests of <see cref="Scenarios"/> in a child run of this test program, as a CI job would, and reads what
/// xUnit reported for each (its XML results): skipped with the reason, failed in strict mode, output and attachment.
/// </summary>
public sealed class RunnerTests(ITestOutputHelper output)
{
    private const string ScenarioNamespace = "Chaos.Testing.Xunit.V3.Tests.Scenarios";
    private const string StrictSuffix = " (strict mode, CHAOS_STRICT: the test fails instead of skipping)";

    [Fact]
    public async Task Run_UnavailableCluster_SkipsWithTheReason_AndReportsOutputAndAttachment()
    {
        var results = await RunScenariosAsync(strict: false);

        // A skipped theory is reported once, without its data rows.
        foreach (var name in new[] { "K3sScenarios.FactNeedingK3s", "K3sScenarios.TheoryNeedingK3s", "K3sFixtureScenarios.FactUsingAnUnavailableCluster" })
        {
            var test = results.Single(name);
            test.Attribute("result")!.Value.Should().Be("Skip", name);
            test.Element("reason")!.Value.Should().Be(SkipTests.K3sMissing, name);
        }

        var passed = results.Single("EmulatorScenarios.KillWritesTheResult");
        passed.Attribute("result")!.Value.Should().Be("Pass");
        passed.Element("output")!.Value.Should().Contain("[Information] inject: ").And.MatchRegex(@"Experiment [0-9a-f]+: kill one of pods in chaos-killwritestheresult-");
        var attachments = passed.Descendants("attachment").ToList();
        attachments.Select(a => a.Attribute("name")!.Value).Should().HaveCount(2).And.Contain(name => Regex.IsMatch(name, "^chaos-result-[0-9a-f]+\\.json$"))
            .And.Contain(name => Regex.IsMatch(name, "^chaos-result-[0-9a-f]+\\.html$"), "the JSON and the HTML report are attached");
        attachments.Single(a => a.Attribute("name")!.Value.EndsWith(".json", StringComparison.Ordinal)).Value.Should().Contain("\"verdict\": \"Passed\"");
        attachments.Single(a => a.Attribute("name")!.Value.EndsWith(".html", StringComparison.Ordinal)).Value.Should()
            .StartWith("<!DOCTYPE html>").And.Contain("<p class=\"verdict\">Passed</p>");
    }

    [Fact]
    public async Task Run_UnavailableClusterInStrictMode_FailsEveryTestWithTheReason()
    {
        var results = await RunScenariosAsync(strict: true);

        foreach (var name in new[] { "K3sScenarios.FactNeedingK3s", "K3sScenarios.TheoryNeedingK3s(round: 1)", "K3sScenarios.TheoryNeedingK3s(round: 2)" })
        {
            var test = results.Single(name);
            test.Attribute("result")!.Value.Should().Be("Fail", name);
            test.Element("failure")!.Element("message")!.Value.Should()
                .Be("Chaos.Testing.ChaosClusterUnavailableException : " + SkipTests.K3sMissing + StrictSuffix, name);
        }

        // The fixture fails the whole collection.
        var fixtureTest = results.Single("K3sFixtureScenarios.FactUsingAnUnavailableCluster");
        fixtureTest.Attribute("result")!.Value.Should().Be("Fail");
        fixtureTest.Element("failure")!.Element("message")!.Value.Should()
            .Contain(SkipTests.K3sMissing + " (strict mode, CHAOS_STRICT or ChaosClusterOptions.Strict: the tests fail instead of skipping)");
        results.Single("EmulatorScenarios.KillWritesTheResult").Attribute("result")!.Value.Should().Be("Pass");
    }

    private async Task<ScenarioResults> RunScenariosAsync(bool strict)
    {
        var xml = Path.Combine(Path.GetTempPath(), $"chaos-xunit-v3-{Guid.NewGuid():N}.xml");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { typeof(RunnerTests).Assembly.Location, "-namespace", ScenarioNamespace, "-xml", xml, "-noLogo", "-noColor" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in new[] { "CHAOS_CLUSTER", "CHAOS_KUBECONFIG", "CHAOS_KUBECONTEXT", ChaosClusterOptions.StrictVariable })
        {
            start.Environment.Remove(variable);
        }

        if (strict)
        {
            start.Environment[ChaosClusterOptions.StrictVariable] = "1";
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        output.WriteLine($"child run (strict: {strict}) exited {process.ExitCode}");
        output.WriteLine(await stdout);
        output.WriteLine(await stderr);
        File.Exists(xml).Should().BeTrue("the child run writes its XML results");
        var document = XDocument.Load(xml);
        File.Delete(xml);
        return new ScenarioResults(document);
    }

    private sealed class ScenarioResults(XDocument document)
    {
        public XElement Single(string name) =>
            document.Descendants("test").Should().ContainSingle(t => t.Attribute("name")!.Value == $"{ScenarioNamespace}.{name}", name).Subject;
    }
}
