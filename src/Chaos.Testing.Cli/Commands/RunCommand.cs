using System.CommandLine;

namespace Chaos.Testing.Cli.Commands;

/// <summary>
/// <c>chaos run &lt;files|dirs&gt;</c>: validates, then runs every manifest in dependsOn order with the engine's guards
/// and recovery, prints each result as it comes, writes reports, and exits with a code a CI gate can read.
/// </summary>
internal static class RunCommand
{
    public static Command Create(string workingDirectory)
    {
        var paths = ValidateCommand.PathsArgument("Manifest files or directories (*.yaml, *.yml, recursively).");
        var dryRun = new Option<bool>("--dry-run") { Description = "Plan and guard every experiment, write nothing (whatever each manifest's dryRun)." };
        var cluster = new Option<string?>("--cluster") { Description = "\"emulator\": run against an in-process Kubernetes emulator started for this run (a local try)." };
        cluster.AcceptOnlyFromAmong("emulator");
        var apply = new Option<string[]>("--apply") { Description = "With --cluster emulator: YAML files of workloads to create first (waits until they are ready).", AllowMultipleArgumentsPerToken = true };
        var report = new Option<string?>("--report") { Description = "A directory to write one JSON report per experiment to (read by `chaos stats`). Default: the config file's reportDirectory." };
        var hold = new Option<string?>("--hold") { Description = "Hold every fault this long instead of what its manifest says (e.g. 500ms, 10s): a quick try." };
        var defaultHold = new Option<string?>("--default-hold") { Description = "Hold of actions whose manifest gives no duration (default: the config file's defaultHold, else 1m)." };
        var progress = new Option<string?>("--progress-interval") { Description = "How often a long hold reports its progress on stderr (default 10s; 0 for never)." };
        var schedule = new Option<bool>("--schedule") { Description = "Keep running: manifests without a schedule run once, those with one at each time their cron fires (UTC), until Ctrl-C or SIGTERM." };
        var verify = new Option<string[]>("--verify")
        {
            Description = $"A steady-state probe added to every experiment (repeat for more): {ProbeSpecs.Forms}. Checked before the fault (broken: nothing is injected) and required again after recovery. Default: the config file's verify.",
        };
        var verifyDuring = new Option<string?>("--verify-during") { Description = "Also check the --verify probes during the hold, each broken at most this share of it (0.2 or 20%; 0: never broken). Default: the config file's verifyDuring, else not during the hold." };
        var recoversWithin = new Option<string?>("--recovers-within") { Description = "How soon after recovery the --verify probes must hold again. Default: the config file's recoversWithin, else 60s." };
        var command = new Command("run", "Run ChaosExperiment manifests with the engine's guards and guaranteed recovery. Exit 0 held, 1 steady state broken, 2 invalid, 3 refused, 4 error.")
        {
            paths, dryRun, cluster, apply, report, hold, defaultHold, progress, schedule, verify, verifyDuring, recoversWithin,
        };
        command.SetAction(CliContext.Action(workingDirectory, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var holdOverride = Duration(parse.GetValue(hold), "--hold");
            var defaultHoldValue = Duration(parse.GetValue(defaultHold) ?? context.Config.DefaultHold, "default hold") ?? new ManifestRunOptions().DefaultHold;
            var interval = Duration(parse.GetValue(progress), "--progress-interval") ?? TimeSpan.FromSeconds(10);
            var reportDirectory = context.Path(parse.GetValue(report)) ?? context.Config.Resolve(context.Config.ReportDirectory);
            var probes = Probes(context, parse.GetValue(verify), parse.GetValue(verifyDuring), parse.GetValue(recoversWithin));
            var set = ValidateCommand.Load(context, parse.GetValue(paths)!);
            if (!set.IsValid)
            {
                ValidateCommand.Print(context.Out, set);
                return ExitCodes.Invalid;
            }

            foreach (var notice in set.Notices)
            {
                context.Out.Remark($"notice: {notice}");
            }

            await using var session = await context.ConnectAsync(parse.GetValue(cluster), parse.GetValue(apply) ?? [], cancellationToken);
            await using var watch = new HoldProgress(context.Out.Error, interval > TimeSpan.Zero ? interval : Timeout.InfiniteTimeSpan, TimeProvider.System);
            var options = new ManifestRunOptions
            {
                DryRun = parse.GetValue(dryRun),
                DefaultHold = defaultHoldValue,
                Logger = watch,
                Configure = (manifest, experiment) =>
                {
                    experiment = experiment.WithSafety(context.Config.Apply);
                    // The manifest's own safety fields win over the project's defaults.
                    experiment = manifest.Spec.MaxPercentage is { } max ? experiment.WithSafety(s => s.MaxPercentage = max) : experiment;
                    experiment = manifest.Spec.AllowProduction ? experiment.AllowProduction() : experiment;
                    experiment = probes.Count > 0 ? experiment.Verify([.. probes]) : experiment;

                    experiment = holdOverride is { } h && ManifestActions.HoldOf(manifest.Spec, defaultHoldValue).Hold is not null ? experiment.For(h) : experiment;
                    watch.Started(manifest, holdOverride ?? ManifestActions.HoldOf(manifest.Spec, defaultHoldValue).Hold);
                    return experiment;
                },
                Progress = new Reporter(result =>
                {
                    watch.Done();
                    context.Out.Remark($"{Mark(result.Outcome)} {result}");
                    if (reportDirectory is not null)
                    {
                        context.Out.Remark($"  report: {RunReport.From(result).Write(reportDirectory)}");
                    }
                }),
            };
            context.Out.Remark($"running {set.ExecutionOrder.Count} experiment(s){(options.DryRun ? " as a dry run" : string.Empty)}: {string.Join(", ", set.ExecutionOrder.Select(m => m.Name))}");
            if (probes.Count > 0)
            {
                context.Out.Remark($"steady state of every experiment: {string.Join("; ", probes)}");
            }
            else
            {
                context.Out.Remark("no steady-state probe (--verify): a run passes when its fault is injected and recovered");
            }

            var batch = parse.GetValue(schedule)
                ? await RunScheduledAsync(context, set, session, options, cancellationToken)
                : await set.RunAsync(session.Client, options, cancellationToken);
            Print(context.Out, batch);
            return ExitCode(batch);
        }));
        return command;
    }

    /// <summary>
    /// The probes of <c>--verify</c>, else of the config file's <c>verify</c>; <c>--verify-during</c> and
    /// <c>--recovers-within</c>, else the file's <c>verifyDuring</c> and <c>recoversWithin</c>, say how they are checked.
    /// </summary>
    private static IReadOnlyList<SteadyStateProbe> Probes(CliContext context, string[]? verify, string? during, string? within)
    {
        var fromCommandLine = verify is { Length: > 0 };
        var source = fromCommandLine ? "--verify" : $"verify (in {context.Config.Path})";
        var deadline = Duration(within, "--recovers-within") ?? Duration(context.Config.RecoversWithin, $"recoversWithin (in {context.Config.Path})") ?? TimeSpan.FromSeconds(60);
        var share = during is not null ? ProbeSpecs.ParseShare(during, "--verify-during")
            : context.Config.VerifyDuring is { } configured ? ProbeSpecs.ParseShare(configured, $"verifyDuring (in {context.Config.Path})")
            : (double?)null;
        var probes = ProbeSpecs.Parse(fromCommandLine ? verify! : context.Config.Verify, source, deadline, share);
        if (probes.Count == 0 && (during ?? within) is not null)
        {
            throw new InvalidDataException($"{(during is not null ? "--verify-during" : "--recovers-within")} changes how the --verify probes are checked, and there is none: add --verify <probe> (or verify in the config file).");
        }

        return probes;
    }

    /// <summary>The exit code of a batch: a failure wins over a refusal, a refusal over success.</summary>
    public static int ExitCode(ManifestBatchResult batch) =>
        batch.Results.Any(r => r.Outcome is ManifestOutcome.Failed or ManifestOutcome.Aborted) ? ExitCodes.SteadyStateBroken
        : batch.AllHeld ? ExitCodes.Held
        : ExitCodes.Refused;

    private static void Print(CliOutput output, ManifestBatchResult batch)
    {
        output.WriteJson(new { held = batch.AllHeld, exitCode = ExitCode(batch), results = batch.Results.Select(RunReport.From) });
        output.Table(["EXPERIMENT", "ACTION", "OUTCOME", "PHASE", "AFFECTED", "MESSAGE"], batch.Results.Select(r => new[]
        {
            r.Manifest.Key, r.Manifest.Spec.Action, r.Outcome.ToString(), r.Phase,
            string.Join(" ", r.AffectedPods.Concat(r.CordonedNodes.Select(n => $"node/{n} (cordoned)")).Concat(r.TaintedNodes.Select(n => $"node/{n} (tainted)"))),
            r.Message,
        }));
        foreach (var result in batch.Results.Where(r => r.Notes.Count > 0))
        {
            foreach (var note in result.Notes)
            {
                output.Line($"note: {result.Manifest.Key}: {note}");
            }
        }

        output.Line(batch.AllHeld ? "Held: every experiment passed, was a dry run, or is paused." : $"Not held: exit code {ExitCode(batch)}.");
    }

    private static string Mark(ManifestOutcome outcome) => outcome switch
    {
        ManifestOutcome.Passed or ManifestOutcome.DryRun => "ok  ",
        ManifestOutcome.Skipped => "skip",
        ManifestOutcome.Refused => "REFUSED",
        _ => "FAILED",
    };

    /// <summary>A duration option: the manifest pattern (<c>1m30s</c>) or milliseconds (<c>500ms</c>); null when not given.</summary>
    internal static TimeSpan? Duration(string? text, string what)
    {
        if (text is null)
        {
            return null;
        }

        if (text.EndsWith("ms", StringComparison.Ordinal) && int.TryParse(text.AsSpan(0, text.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return text == "0" ? TimeSpan.Zero
            : ManifestDurations.Parse(text) ?? throw new InvalidDataException($"{what} \"{text}\": use a duration such as 500ms, 30s, 2m or 1h30m.");
    }

    private sealed class Reporter(Action<ManifestRunResult> report) : IProgress<ManifestRunResult>
    {
        public void Report(ManifestRunResult value) => report(value);
    }

    // The long-running mode ends when the process is asked to stop; what ran until then is the batch.
    private static async Task<ManifestBatchResult> RunScheduledAsync(CliContext context, ChaosManifestSet set, ClusterSession session, ManifestRunOptions options, CancellationToken cancellationToken)
    {
        foreach (var manifest in set.ExecutionOrder.Where(m => m.Spec.Schedule is not null))
        {
            context.Out.Remark($"{manifest.Key}: schedule \"{manifest.Spec.Schedule}\", next at {manifest.NextOccurrence(options.Time.GetUtcNow()):u}");
        }

        context.Out.Remark("running until stopped (Ctrl-C or SIGTERM); a running experiment still recovers");
        return await set.RunScheduledAsync(session.Client, options, cancellationToken);
    }
}
