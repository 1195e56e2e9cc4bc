using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Chaos.Testing.Tests.Reports;

/// <summary>The JSON report: its documented schema, names for enums, ISO-8601 times, and a faithful round trip.</summary>
public sealed class ReportJsonTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reports", "chaos-result.schema.json")));

    [Theory]
    [InlineData("failed")]
    [InlineData("passed")]
    [InlineData("aborted")]
    [InlineData("dry run")]
    public void ToJson_EveryVerdict_IsValidAgainstThePublishedSchema(string which)
    {
        var result = which switch
        {
            "failed" => ReportSamples.Failed(),
            "passed" => ReportSamples.Passed(),
            "aborted" => ReportSamples.Aborted(),
            _ => ReportSamples.Passed() with { DryRun = true, Probes = [], Phases = [new("plan", ReportSamples.Start, ReportSamples.Start.AddSeconds(1))] },
        };

        var evaluation = Schema.Evaluate(Element(result.ToJson()), new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

        evaluation.IsValid.Should().BeTrue("the JSON must follow docs/schemas/chaos-result.schema.json, but: "
            + string.Join("; ", (evaluation.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Fact]
    public void Schema_RejectsAVerdictThatIsANumber()
    {
        // The schema check above is only worth something if the schema can say no.
        var json = JsonNode.Parse(ReportSamples.Failed().ToJson())!;
        json["verdict"] = 1;

        Schema.Evaluate(Element(json.ToJsonString())).IsValid.Should().BeFalse("verdicts are names, never numbers");
    }

    [Fact]
    public void ToJson_WritesEnumsAsNamesTimesAsIso8601AndDurationsInMilliseconds()
    {
        using var json = JsonDocument.Parse(ReportSamples.Failed().ToJson());
        var root = json.RootElement;

        root.GetProperty("verdict").GetString().Should().Be("Failed");
        root.GetProperty("startedAt").GetString().Should().Be("2026-03-04T05:06:07.25+00:00");
        root.GetProperty("durationMs").GetDouble().Should().Be(14000);
        root.GetProperty("timeToRecoveryMs").ValueKind.Should().Be(JsonValueKind.Null, "a probe never recovered");
        root.GetProperty("probes")[1].GetProperty("timeToRecoveryMs").GetDouble().Should().Be(3500);
        root.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Should()
            .Equal("plan", "check-before", "inject", "hold", "recover", "check-after");
        root.GetProperty("affected")[0].GetProperty("name").GetString().Should().Be(ReportSamples.HostilePod, "names are kept exactly, escaping is the renderer's job");
    }

    [Fact]
    public void FromJson_ReadsBackWhatToJsonWrote()
    {
        var original = ReportSamples.Failed();

        var read = ChaosReport.FromJson(original.ToJson());

        read.ToJson().Should().Be(original.ToJson());
        read.Verdict.Should().Be(ExperimentVerdict.Failed);
        read.Probes[0].Samples[1].Observed.Should().Be(ReportSamples.HostileMessage);
        read.StartedAt.Should().Be(original.StartedAt);
    }

    [Fact]
    public void FromJson_AnotherSchemaVersion_SaysWhich()
    {
        var json = JsonNode.Parse(ReportSamples.Passed().ToJson())!;
        json["schemaVersion"] = 2;

        var read = () => ChaosReport.FromJson(json.ToJsonString());

        read.Should().Throw<InvalidDataException>().WithMessage("chaos result schemaVersion 2 is not supported (this version reads 1)");
    }

    private static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
