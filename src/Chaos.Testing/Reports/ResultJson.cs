using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chaos.Testing;

/// <summary>
/// The JSON form of a <see cref="ChaosResult"/> (schema <c>docs/schemas/chaos-result.schema.json</c>): camelCase names,
/// enums by name, times as ISO-8601 with offset, durations as milliseconds.
/// </summary>
internal static class ResultJson
{
    public const int SchemaVersion = 1;

    /// <summary>Writes the result; <paramref name="forHtml"/> escapes &lt;, &gt;, &amp; and quotes so the text can sit inside a script element.</summary>
    public static string Write(ChaosResult result, bool indented, bool forHtml)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = indented,
            Encoder = forHtml ? JavaScriptEncoder.Default : JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            Write(json, result);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Write(Utf8JsonWriter json, ChaosResult result)
    {
        json.WriteStartObject();
        json.WriteNumber("schemaVersion", SchemaVersion);
        json.WriteString("experimentId", result.ExperimentId);
        json.WriteString("description", result.Description);
        json.WriteString("verdict", result.Verdict.ToString());
        json.WriteNumber("seed", result.Seed);
        json.WriteBoolean("dryRun", result.DryRun);
        json.WriteString("startedAt", result.StartedAt);
        json.WriteString("finishedAt", result.FinishedAt);
        json.WriteNumber("durationMs", Milliseconds(result.FinishedAt - result.StartedAt));
        WriteMilliseconds(json, "timeToRecoveryMs", result.TimeToRecovery);
        WriteNullable(json, "failureReason", result.FailureReason);
        WriteArray(json, "phases", result.Phases, (j, p) =>
        {
            j.WriteString("name", p.Name);
            j.WriteString("startedAt", p.StartedAt);
            j.WriteString("finishedAt", p.FinishedAt);
        });
        WriteArray(json, "affected", result.Affected, (j, a) =>
        {
            j.WriteString("kind", a.Kind);
            WriteNullable(j, "namespace", a.Namespace);
            j.WriteString("name", a.Name);
            j.WriteString("action", a.Action);
            j.WriteString("at", a.At);
        });
        WriteArray(json, "probes", result.Probes, (j, p) =>
        {
            j.WriteString("name", p.Name);
            j.WriteString("mode", p.Mode);
            j.WriteBoolean("held", p.Held);
            WriteNullable(j, "failure", p.Failure);
            WriteMilliseconds(j, "timeToRecoveryMs", p.TimeToRecovery);
            WriteArray(j, "samples", p.Samples, (k, s) =>
            {
                k.WriteString("at", s.At);
                k.WriteBoolean("held", s.Held);
                k.WriteString("observed", s.Observed);
            });
        });
        WriteArray(json, "timeline", result.Timeline, (j, t) =>
        {
            j.WriteString("at", t.At);
            j.WriteString("phase", t.Phase);
            j.WriteString("message", t.Message);
        });
        WriteStrings(json, "notRecovered", result.NotRecovered);
        WriteStrings(json, "errors", result.Errors);
        json.WriteEndObject();
    }

    public static ChaosResult Read(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        var version = root.GetProperty("schemaVersion").GetInt32();
        if (version != SchemaVersion)
        {
            throw new InvalidDataException($"chaos result schemaVersion {version} is not supported (this version reads {SchemaVersion})");
        }

        return new ChaosResult
        {
            ExperimentId = root.GetProperty("experimentId").GetString()!,
            Description = root.GetProperty("description").GetString()!,
            Verdict = Enum.Parse<ExperimentVerdict>(root.GetProperty("verdict").GetString()!, ignoreCase: false),
            Seed = root.GetProperty("seed").GetInt32(),
            DryRun = root.GetProperty("dryRun").GetBoolean(),
            StartedAt = root.GetProperty("startedAt").GetDateTimeOffset(),
            FinishedAt = root.GetProperty("finishedAt").GetDateTimeOffset(),
            TimeToRecovery = ReadMilliseconds(root.GetProperty("timeToRecoveryMs")),
            FailureReason = root.GetProperty("failureReason").GetString(),
            Phases = ReadArray(root, "phases", p => new PhaseSpan(
                p.GetProperty("name").GetString()!, p.GetProperty("startedAt").GetDateTimeOffset(), p.GetProperty("finishedAt").GetDateTimeOffset())),
            Affected = ReadArray(root, "affected", a => new AffectedTarget(
                a.GetProperty("kind").GetString()!, a.GetProperty("namespace").GetString(), a.GetProperty("name").GetString()!,
                a.GetProperty("action").GetString()!, a.GetProperty("at").GetDateTimeOffset())),
            Probes = ReadArray(root, "probes", p => new ProbeResult(
                p.GetProperty("name").GetString()!, p.GetProperty("mode").GetString()!, p.GetProperty("held").GetBoolean(),
                p.GetProperty("failure").GetString(), ReadMilliseconds(p.GetProperty("timeToRecoveryMs")),
                ReadArray(p, "samples", s => new ProbeSample(
                    s.GetProperty("at").GetDateTimeOffset(), s.GetProperty("held").GetBoolean(), s.GetProperty("observed").GetString()!)))),
            Timeline = ReadArray(root, "timeline", t => new TimelineEntry(
                t.GetProperty("at").GetDateTimeOffset(), t.GetProperty("phase").GetString()!, t.GetProperty("message").GetString()!)),
            NotRecovered = ReadArray(root, "notRecovered", s => s.GetString()!),
            Errors = ReadArray(root, "errors", s => s.GetString()!),
        };
    }

    public static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 3);

    private static void WriteMilliseconds(Utf8JsonWriter json, string name, TimeSpan? span)
    {
        if (span is { } value)
        {
            json.WriteNumber(name, Milliseconds(value));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteArray<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            write(json, item);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> items)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStringValue(item);
        }

        json.WriteEndArray();
    }

    private static TimeSpan? ReadMilliseconds(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : TimeSpan.FromMilliseconds(element.GetDouble());

    private static List<T> ReadArray<T>(JsonElement parent, string name, Func<JsonElement, T> read) =>
        parent.GetProperty(name).EnumerateArray().Select(read).ToList();

    /// <summary>Formats a time as ISO-8601 with milliseconds and offset, the form the JSON uses (for the JUnit and HTML reports).</summary>
    public static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}
