using System.Text;
using System.Text.RegularExpressions;

namespace Chaos.Testing;

/// <summary>
/// Reports of <see cref="ChaosResult"/>s: JSON (schema in <c>docs/schemas/chaos-result.schema.json</c>), JUnit XML (one
/// test case per experiment) and a self-contained HTML page with a timeline chart; for one result or a suite of them.
/// <see cref="Publish"/> writes them into <see cref="Directory"/> (the <c>CHAOS_REPORTS_DIR</c> environment variable),
/// as the test-framework adapters do for every result. See docs/reports.md.
/// </summary>
public static partial class ChaosReport
{
    /// <summary>The environment variable naming the folder <see cref="Publish"/> writes every report and the suite summary into.</summary>
    public const string DirectoryVariable = "CHAOS_REPORTS_DIR";

    /// <summary>The base name of the suite summary files in the reports folder (<c>chaos-summary.html</c>, <c>.json</c>, <c>.junit.xml</c>).</summary>
    public const string SummaryName = "chaos-summary";

    private const string ResultSuffix = ".chaos.json";
    private static readonly object Gate = new();
    private static volatile string? _directory;

    /// <summary>
    /// Gets or sets the folder <see cref="Publish"/> writes into: the value set here, else the <c>CHAOS_REPORTS_DIR</c>
    /// environment variable, else null (nothing is written).
    /// </summary>
    public static string? Directory
    {
        get => _directory ?? (Environment.GetEnvironmentVariable(DirectoryVariable)?.Trim() is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        set => _directory = string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>The result as indented JSON: camelCase names, enums by name, ISO-8601 times, durations in milliseconds.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(this ChaosResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return ResultJson.Write(result, indented: true, forHtml: false);
    }

    /// <summary>Reads a result written by <see cref="ToJson(ChaosResult)"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidDataException">The schema version is not one this version reads.</exception>
    /// <exception cref="System.Text.Json.JsonException">The text is not JSON.</exception>
    /// <exception cref="KeyNotFoundException">A required property is missing.</exception>
    public static ChaosResult FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ResultJson.Read(json);
    }

    /// <summary>The result as JUnit XML: one test case; a failed verdict is a <c>failure</c>, an aborted one an <c>error</c>, each with the reason as message.</summary>
    /// <param name="result">The result.</param>
    /// <param name="suiteName">The test suite's (and test case's class) name.</param>
    /// <returns>The XML text.</returns>
    public static string ToJUnitXml(this ChaosResult result, string suiteName = "chaos")
    {
        ArgumentNullException.ThrowIfNull(result);
        return JUnitReport.Write([result], suiteName);
    }

    /// <summary>Many results as JUnit XML: one test suite with a test case per experiment.</summary>
    /// <param name="results">The results.</param>
    /// <param name="suiteName">The test suite's name.</param>
    /// <returns>The XML text.</returns>
    public static string ToJUnitXml(this IEnumerable<ChaosResult> results, string suiteName = "chaos")
    {
        ArgumentNullException.ThrowIfNull(results);
        return JUnitReport.Write(results.ToList(), suiteName);
    }

    /// <summary>The result as a self-contained HTML page (works offline): verdict, seed, reason, a timeline chart of the phases, probe samples and affected objects, and tables.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The HTML text.</returns>
    public static string ToHtml(this ChaosResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return HtmlReport.Write([result], $"Chaos experiment: {result.Description}", suite: false);
    }

    /// <summary>Many results as one self-contained HTML page: a summary table, then each experiment with its timeline chart.</summary>
    /// <param name="results">The results.</param>
    /// <param name="title">The page's title.</param>
    /// <returns>The HTML text.</returns>
    public static string ToHtml(this IEnumerable<ChaosResult> results, string title = "Chaos experiments")
    {
        ArgumentNullException.ThrowIfNull(results);
        return HtmlReport.Write(results.ToList(), title, suite: true);
    }

    /// <summary>Writes the result's JSON, HTML and JUnit XML into a folder (created if missing) as <c>&lt;name-&gt;&lt;experiment id&gt;.chaos.json</c>, <c>.chaos.html</c>, <c>.chaos.junit.xml</c>.</summary>
    /// <param name="result">The result.</param>
    /// <param name="directory">The folder.</param>
    /// <param name="name">A prefix naming the test (made file-safe), or null.</param>
    /// <returns>The files written.</returns>
    public static ChaosReportFiles WriteFiles(this ChaosResult result, string directory, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        System.IO.Directory.CreateDirectory(directory);
        var prefix = name is null ? "chaos-" : $"{Truncate(NotFileSafe().Replace(name, "_"), 150)}-";
        var stem = Path.Combine(directory, prefix + NotFileSafe().Replace(result.ExperimentId, "_"));
        var files = new ChaosReportFiles(stem + ResultSuffix, stem + ".chaos.html", stem + ".chaos.junit.xml");
        WriteAtomically(files.Html, result.ToHtml());
        WriteAtomically(files.JUnitXml, result.ToJUnitXml());
        WriteAtomically(files.Json, result.ToJson());
        return files;
    }

    /// <summary>
    /// Writes the suite summary of a folder: every <c>*.chaos.json</c> result in it (from any process) into
    /// <c>chaos-summary.html</c>, <c>chaos-summary.json</c> (an array of results) and <c>chaos-summary.junit.xml</c>, ordered by start.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="title">The summary's title.</param>
    /// <returns>The files written.</returns>
    public static ChaosReportFiles WriteSummary(string directory, string title = "Chaos experiments")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        System.IO.Directory.CreateDirectory(directory);
        var results = System.IO.Directory.GetFiles(directory, "*" + ResultSuffix)
            .Select(file => FromJson(File.ReadAllText(file, Encoding.UTF8)))
            .OrderBy(r => r.StartedAt).ThenBy(r => r.ExperimentId, StringComparer.Ordinal).ToList();
        var stem = Path.Combine(directory, SummaryName);
        var files = new ChaosReportFiles(stem + ".json", stem + ".html", stem + ".junit.xml");
        WriteAtomically(files.Json, "[\n" + string.Join(",\n", results.Select(r => r.ToJson())) + "\n]\n");
        WriteAtomically(files.Html, results.ToHtml(title));
        WriteAtomically(files.JUnitXml, results.ToJUnitXml());
        return files;
    }

    /// <summary>
    /// When <see cref="Directory"/> is set, writes the result's files (<see cref="WriteFiles"/>) and rewrites the folder's
    /// suite summary (<see cref="WriteSummary"/>); the test-framework adapters call this for every result they report.
    /// </summary>
    /// <param name="result">The result.</param>
    /// <param name="name">A prefix naming the test, or null.</param>
    /// <returns>The result's files, or null when no folder is set.</returns>
    public static ChaosReportFiles? Publish(ChaosResult result, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Directory is not { } directory)
        {
            return null;
        }

        lock (Gate)
        {
            var files = result.WriteFiles(directory, name);
            WriteSummary(directory);
            return files;
        }
    }

    /// <summary>Writes a temporary file and moves it over the target, so a reader (another process's summary) never sees half a file.</summary>
    private static void WriteAtomically(string path, string content)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, content, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex NotFileSafe();
}
