using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;

namespace Chaos.Testing;

/// <summary>
/// A self-contained HTML page (inline CSS, SVG drawn by an inline script, no external asset): the header, tables and
/// lists are rendered here with every cluster-supplied string HTML-encoded; the timeline chart is drawn by the script
/// from the result's JSON (embedded with &lt; &gt; &amp; and quotes escaped) with DOM text nodes only. A Content-Security-Policy
/// lets only that script (by its hash) run and nothing load.
/// </summary>
internal static class HtmlReport
{
    private static readonly string Css = Resource("report.css");
    private static readonly string Script = Resource("report.js");
    private static readonly string ScriptHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Script)));

    public static string Write(IReadOnlyList<ChaosResult> results, string title, bool suite)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-")
            .Append(ScriptHash).Append("'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");
        if (suite)
        {
            Summary(html, results, title);
        }

        for (var i = 0; i < results.Count; i++)
        {
            Experiment(html, results[i], i, suite);
        }

        html.Append("<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, IReadOnlyList<ChaosResult> results, string title)
    {
        var counts = string.Join(", ", Enum.GetValues<ExperimentVerdict>().Select(v => $"{results.Count(r => r.Verdict == v)} {v.ToString().ToLowerInvariant()}"));
        html.Append("<header><h1>").Append(E(title)).Append("</h1>\n<p class=\"counts\" id=\"suite-counts\">")
            .Append(results.Count).Append(" experiment(s): ").Append(counts).Append("</p></header>\n")
            .Append("<table class=\"summary\" id=\"summary\">\n<thead><tr><th>Verdict</th><th>Experiment</th><th>Seed</th><th>Duration</th>")
            .Append("<th>Time to recovery</th><th>Reason</th></tr></thead>\n<tbody>\n");
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            html.Append("<tr class=\"").Append(VerdictClass(r)).Append("\"><td class=\"verdict\">").Append(VerdictText(r))
                .Append("</td><td><a href=\"#experiment-").Append(i).Append("\">").Append(E(r.Description)).Append("</a></td><td>")
                .Append(r.Seed).Append("</td><td>").Append(Seconds(r.FinishedAt - r.StartedAt)).Append("</td><td>")
                .Append(r.TimeToRecovery is { } t ? Milliseconds(t) : "—").Append("</td><td>").Append(E(r.FailureReason ?? string.Empty))
                .Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static void Experiment(StringBuilder html, ChaosResult r, int index, bool suite)
    {
        var heading = suite ? "h2" : "h1";
        html.Append("<section class=\"experiment ").Append(VerdictClass(r)).Append("\" id=\"experiment-").Append(index).Append("\">\n<")
            .Append(heading).Append('>').Append(E(r.Description)).Append("</").Append(heading).Append(">\n")
            .Append("<p class=\"verdict\">").Append(VerdictText(r)).Append("</p>\n<dl class=\"facts\">")
            .Append("<dt>Experiment</dt><dd>").Append(E(r.ExperimentId)).Append("</dd>")
            .Append("<dt>Seed</dt><dd class=\"seed\">").Append(r.Seed).Append("</dd>")
            .Append("<dt>Started</dt><dd>").Append(ResultJson.Iso(r.StartedAt)).Append("</dd>")
            .Append("<dt>Duration</dt><dd>").Append(Seconds(r.FinishedAt - r.StartedAt)).Append("</dd>")
            .Append("<dt>Time to recovery</dt><dd>").Append(r.TimeToRecovery is { } t ? Milliseconds(t) : "—").Append("</dd></dl>\n");
        if (r.FailureReason is not null)
        {
            html.Append("<p class=\"reason\"><strong>Reason:</strong> ").Append(E(r.FailureReason)).Append("</p>\n");
        }

        html.Append("<h3>Timeline</h3>\n<div class=\"chart\" data-index=\"").Append(index)
            .Append("\"><noscript>The chart needs JavaScript; the tables below hold the same data.</noscript></div>\n");
        Table(html, "Probes", "probes", ["Probe", "Mode", "Held", "Time to recovery", "Failure"], r.Probes.Select(p => new[]
        {
            E(p.Name), E(p.Mode), p.Held ? "held" : "did not hold",
            p.TimeToRecovery is { } ttr ? (ttr == TimeSpan.Zero ? "never broke" : Milliseconds(ttr)) : "never recovered", E(p.Failure ?? string.Empty),
        }));
        Table(html, $"Affected objects ({r.Affected.Count})", "affected", ["Kind", "Namespace", "Name", "Action", "At"], r.Affected.Select(a => new[]
        {
            E(a.Kind), E(a.Namespace ?? string.Empty), E(a.Name), E(a.Action), ResultJson.Iso(a.At),
        }));
        List(html, "Not recovered (left for ChaosJanitor.SweepAsync)", "not-recovered", r.NotRecovered);
        List(html, "Errors", "errors", r.Errors);
        html.Append("<details><summary>Timeline entries (").Append(r.Timeline.Count).Append(")</summary>\n");
        Table(html, null, "timeline", ["At", "Phase", "Message"], r.Timeline.Select(e => new[] { ResultJson.Iso(e.At), E(e.Phase), E(e.Message) }));
        html.Append("</details>\n<script type=\"application/json\" class=\"chaos-data\" data-index=\"").Append(index).Append("\">")
            .Append(ResultJson.Write(r, indented: false, forHtml: true)).Append("</script>\n</section>\n");
    }

    /// <summary>Writes a table; every cell is already encoded by the caller.</summary>
    private static void Table(StringBuilder html, string? title, string cssClass, string[] headers, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        if (title is not null)
        {
            html.Append("<h3>").Append(E(title)).Append("</h3>\n");
        }

        if (list.Count == 0)
        {
            html.Append("<p class=\"none\">none</p>\n");
            return;
        }

        html.Append("<table class=\"").Append(cssClass).Append("\"><thead><tr>");
        foreach (var header in headers)
        {
            html.Append("<th>").Append(E(header)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>\n");
        foreach (var row in list)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(cell).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void List(StringBuilder html, string title, string cssClass, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        html.Append("<h3>").Append(E(title)).Append("</h3>\n<ul class=\"").Append(cssClass).Append("\">");
        foreach (var item in items)
        {
            html.Append("<li>").Append(E(item)).Append("</li>");
        }

        html.Append("</ul>\n");
    }

    private static string VerdictClass(ChaosResult r) => "verdict-" + r.Verdict.ToString().ToLowerInvariant();

    private static string VerdictText(ChaosResult r) => r.Verdict + (r.DryRun ? " (dry run)" : string.Empty);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Milliseconds(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>HTML-encodes text from the result (cluster names and messages are untrusted).</summary>
    private static string E(string text) => HtmlEncoder.Default.Encode(text);

    private static string Resource(string name)
    {
        using var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream($"Chaos.Testing.Reports.{name}")
            ?? throw new InvalidOperationException($"the report resource {name} is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
