using System.Text.Json;

namespace Chaos.Testing.Cli;

/// <summary>
/// One manifest's run as <c>run --report</c> stores it (one JSON file each) and <c>stats</c> reads it back: the operator's
/// status vocabulary, this engine's outcome, and the engine's full result.
/// </summary>
internal sealed record RunReport
{
    /// <summary>The format of these files; <c>stats</c> skips files of another.</summary>
    public const string CurrentFormat = "chaos-testing/run-report/v1";

    public string Format { get; init; } = CurrentFormat;

    public required string Name { get; init; }

    public required string ExperimentNamespace { get; init; }

    public required string Action { get; init; }

    public string? Fault { get; init; }

    public required string TargetNamespace { get; init; }

    public required string Source { get; init; }

    public required ManifestOutcome Outcome { get; init; }

    public required string Phase { get; init; }

    public required string Message { get; init; }

    public IReadOnlyList<string> AffectedPods { get; init; } = [];

    public IReadOnlyList<string> CordonedNodes { get; init; } = [];

    public IReadOnlyList<string> TaintedNodes { get; init; } = [];

    public int RetryCount { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public required DateTimeOffset CompletedAt { get; init; }

    public double? DurationSeconds { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    public ChaosResult? Result { get; init; }

    public static RunReport From(ManifestRunResult run) => new()
    {
        Name = run.Manifest.Name,
        ExperimentNamespace = run.Manifest.ExperimentNamespace,
        Action = run.Manifest.Spec.Action,
        Fault = run.Manifest.FaultName,
        TargetNamespace = run.Manifest.Spec.Namespace,
        Source = run.Manifest.Source,
        Outcome = run.Outcome,
        Phase = run.Phase,
        Message = run.Message,
        AffectedPods = run.AffectedPods,
        CordonedNodes = run.CordonedNodes,
        TaintedNodes = run.TaintedNodes,
        RetryCount = run.RetryCount,
        LastError = run.LastError,
        StartTime = run.StartTime,
        CompletedAt = run.CompletedAt,
        DurationSeconds = run.StartTime is { } start ? Math.Round((run.CompletedAt - start).TotalSeconds, 3) : null,
        Notes = run.Notes,
        Result = run.Result,
    };

    /// <summary>Writes the report to <paramref name="directory"/> as <c>&lt;completed&gt;-&lt;namespace&gt;-&lt;name&gt;.json</c>; returns the file.</summary>
    public string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var stamp = CompletedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.Combine(directory, $"{stamp}-{Safe(ExperimentNamespace)}-{Safe(Name)}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(this, CliOutput.JsonOptions));
        return path;
    }

    /// <summary>Reads a report file; null with the reason when it is not one.</summary>
    public static (RunReport? Report, string? Problem) Read(string path)
    {
        try
        {
            var report = JsonSerializer.Deserialize<RunReport>(File.ReadAllText(path), CliOutput.JsonOptions);
            return report is null || report.Format != CurrentFormat
                ? (null, $"not a run report of format {CurrentFormat}")
                : (report, null);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return (null, ex.Message);
        }
    }

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
}
