using System.CommandLine;

namespace Chaos.Testing.Cli.Commands;

/// <summary><c>chaos stats [dirs|files]</c>: outcomes per action over the reports <c>run --report</c> stored.</summary>
internal static class StatsCommand
{
    public static Command Create(string workingDirectory)
    {
        var paths = new Argument<string[]>("paths") { Description = "Report directories or files (default: the config file's reportDirectory).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("stats", "Statistics over stored run reports (`chaos run --report <dir>`): runs, outcomes and durations per action.") { paths };
        command.SetAction(CliContext.Action(workingDirectory, (context, _) =>
        {
            var given = context.Parse.GetValue(paths) is { Length: > 0 } p ? p.Select(x => context.Path(x)!).ToList()
                : context.Config.Resolve(context.Config.ReportDirectory) is { } configured ? [configured]
                : throw new InvalidDataException("give report directories or files, or set reportDirectory in the config file.");
            var reports = new List<RunReport>();
            foreach (var file in Files(given))
            {
                var (report, problem) = RunReport.Read(file);
                if (report is null)
                {
                    context.Out.Remark($"skipped {file}: {problem}");
                    continue;
                }

                reports.Add(report);
            }

            var rows = reports.GroupBy(r => r.Action, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Row(g.Key, g.ToList())).Append(Row("(all)", reports)).ToList();
            context.Out.WriteJson(new { reports = reports.Count, actions = rows });
            context.Out.Table(["ACTION", "RUNS", "PASSED", "FAILED", "ABORTED", "REFUSED", "SKIPPED", "DRY-RUN", "PASS-RATE", "MEAN-S", "MAX-S", "LAST"],
                rows.Select(r => new[]
                {
                    r.Action, Text(r.Runs), Text(r.Passed), Text(r.Failed), Text(r.Aborted), Text(r.Refused), Text(r.Skipped), Text(r.DryRun),
                    r.PassRate is { } rate ? rate.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "-",
                    r.MeanSeconds?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    r.MaxSeconds?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    r.Last?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                }));
            return Task.FromResult(reports.Count == 0 ? ExitCodes.Invalid : ExitCodes.Held);
        }));
        return command;
    }

    private static IEnumerable<string> Files(IEnumerable<string> paths) => paths.SelectMany<string, string>(p =>
        Directory.Exists(p) ? Directory.EnumerateFiles(p, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        : File.Exists(p) ? [p]
        : throw new InvalidDataException($"{p}: no such file or directory."));

    private static StatsRow Row(string action, List<RunReport> reports)
    {
        int Count(ManifestOutcome outcome) => reports.Count(r => r.Outcome == outcome);
        var durations = reports.Where(r => r.Outcome is ManifestOutcome.Passed or ManifestOutcome.Failed or ManifestOutcome.Aborted).Select(r => r.DurationSeconds).OfType<double>().ToList();
        var verdicts = Count(ManifestOutcome.Passed) + Count(ManifestOutcome.Failed) + Count(ManifestOutcome.Aborted);
        return new StatsRow(action, reports.Count, Count(ManifestOutcome.Passed), Count(ManifestOutcome.Failed), Count(ManifestOutcome.Aborted), Count(ManifestOutcome.Refused),
            Count(ManifestOutcome.Skipped), Count(ManifestOutcome.DryRun), verdicts == 0 ? null : (double)Count(ManifestOutcome.Passed) / verdicts,
            durations.Count == 0 ? null : Math.Round(durations.Average(), 3), durations.Count == 0 ? null : durations.Max(),
            reports.Count == 0 ? null : reports.Max(r => r.CompletedAt));
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Outcomes of one action (or all): the pass rate counts only runs that reached a verdict.</summary>
internal sealed record StatsRow(string Action, int Runs, int Passed, int Failed, int Aborted, int Refused, int Skipped, int DryRun, double? PassRate, double? MeanSeconds, double? MaxSeconds, DateTimeOffset? Last);
