using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chaos.Testing.Cli;

/// <summary>
/// What a command prints: a table (or lines) for people, or one JSON document for programs (<c>--output json</c>).
/// Remarks and progress go to the error stream, so JSON on the output stream stays parseable.
/// Text that came from a cluster or a file is cleaned of control characters before it reaches a terminal.
/// </summary>
internal sealed class CliOutput(TextWriter output, TextWriter error, bool json)
{
    /// <summary>The JSON settings of <c>--output json</c> and of stored reports.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    private const int MaxCell = 120;

    /// <summary>Gets a value indicating whether the output is JSON.</summary>
    public bool Json { get; } = json;

    /// <summary>Gets the error stream (remarks, progress).</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Text safe for a terminal: control characters (escape sequences, carriage returns) become '?'; optionally shortened.</summary>
    public static string Clean(string? text, int max = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var clean = new StringBuilder(Math.Min(text.Length, max) + 1);
        foreach (var c in text)
        {
            if (clean.Length >= max)
            {
                clean.Append('…');
                break;
            }

            clean.Append(char.IsControl(c) || c is '\u2028' or '\u2029' or '\u202E' or '\u202D' ? '?' : c);
        }

        return clean.ToString();
    }

    /// <summary>Writes <paramref name="value"/> as JSON (only in JSON mode).</summary>
    public void WriteJson(object value)
    {
        if (Json)
        {
            output.WriteLine(JsonSerializer.Serialize(value, value.GetType(), JsonOptions));
        }
    }

    /// <summary>Writes a line for people (only in table mode); the text is cleaned.</summary>
    public void Line(string text = "")
    {
        if (!Json)
        {
            output.WriteLine(Clean(text));
        }
    }

    /// <summary>Writes a remark to the error stream, in both modes.</summary>
    public void Remark(string text) => Error.WriteLine(Clean(text));

    /// <summary>Writes a table (only in table mode): cells are cleaned and cut to a readable width.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        if (Json)
        {
            return;
        }

        var cells = rows.Select(r => r.Select(c => Clean(c, MaxCell)).ToList()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(r => i < r.Count ? r[i].Length : 0))).ToList();
        output.WriteLine(Row(headers, widths));
        foreach (var row in cells)
        {
            output.WriteLine(Row(row, widths));
        }
    }

    private static string Row(IReadOnlyList<string> cells, List<int> widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
