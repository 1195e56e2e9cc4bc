using System.CommandLine;
using System.Globalization;

namespace Chaos.Testing.Cli.Commands;

/// <summary><c>chaos list</c> and <c>chaos describe &lt;experiment&gt;</c>: the chaos active in the cluster now, from the ledger.</summary>
internal static class ListCommand
{
    public static Command CreateList(string workingDirectory)
    {
        var command = new Command("list", "List the chaos active in the cluster now, from the ledger: experiment, fault, object, since, deadline, owner, and whether the entry verifies.");
        command.SetAction(CliContext.Action(workingDirectory, async (context, cancellationToken) =>
        {
            await using var session = await context.ConnectAsync(null, [], cancellationToken);
            var view = await ActiveChaos.ReadAsync(session.Client, context.Config, cancellationToken);
            Remarks(context.Out, view);
            context.Out.WriteJson(new { active = view.Entries, remarks = view.Remarks });
            context.Out.Table(["EXPERIMENT", "FAULT", "TARGET", "SINCE", "DEADLINE", "OWNER", "STATUS"], view.Entries.Select(e => new[]
            {
                e.Experiment, e.Fault, e.Target, Time(e.Since), Time(e.Deadline), e.Owner ?? "-", e.Status,
            }));
            context.Out.Line(view.Entries.Count == 0 ? "No chaos is active." : $"{view.Entries.Select(e => e.Experiment).Distinct(StringComparer.Ordinal).Count()} experiment(s) active.");
            return ExitCodes.Held;
        }));
        return command;
    }

    public static Command CreateDescribe(string workingDirectory)
    {
        var experiment = new Argument<string>("experiment") { Description = "The experiment id (as `chaos list` shows it)." };
        var command = new Command("describe", "Describe one active experiment: each object it changed, since when, its deadline, owner, Lease and recovery record. Exit 2 when it is not active.") { experiment };
        command.SetAction(CliContext.Action(workingDirectory, async (context, cancellationToken) =>
        {
            var id = context.Parse.GetValue(experiment)!;
            await using var session = await context.ConnectAsync(null, [], cancellationToken);
            var view = await ActiveChaos.ReadAsync(session.Client, context.Config, cancellationToken);
            Remarks(context.Out, view);
            var entries = view.Entries.Where(e => e.Experiment == id).ToList();
            if (entries.Count == 0)
            {
                context.Out.Remark($"chaos: experiment {id} is not active in this cluster (no ledger entry, no Lease).");
                return ExitCodes.Invalid;
            }

            context.Out.WriteJson(new { experiment = id, entries });
            context.Out.Line($"Experiment {id}");
            foreach (var entry in entries)
            {
                context.Out.Line();
                foreach (var (label, value) in new[]
                {
                    ("Target", entry.Target), ("Fault", entry.Fault), ("Status", entry.Status + (entry.Problem is null ? string.Empty : $": {entry.Problem}")),
                    ("Since", Time(entry.Since)), ("Deadline", Time(entry.Deadline)), ("Owner", entry.Owner ?? "-"), ("Lease", entry.Lease ?? "-"), ("Recovery", entry.Recovery ?? "-"),
                })
                {
                    context.Out.Line($"  {label + ":",-10} {CliOutput.Clean(value, 400)}");
                }
            }

            return ExitCodes.Held;
        }));
        return command;
    }

    private static void Remarks(CliOutput output, ActiveChaosView view)
    {
        foreach (var remark in view.Remarks)
        {
            output.Remark($"note: {remark}");
        }
    }

    private static string Time(DateTimeOffset? time) => time?.ToString("u", CultureInfo.InvariantCulture) ?? "-";
}
