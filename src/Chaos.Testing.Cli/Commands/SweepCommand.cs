using System.CommandLine;

namespace Chaos.Testing.Cli.Commands;

/// <summary><c>chaos sweep</c>: the janitor. Recovers what crashed or interrupted runs left behind. Exit 0 clean, 3 when entries are left.</summary>
internal static class SweepCommand
{
    public static Command Create(string workingDirectory)
    {
        var force = new Option<bool>("--force") { Description = "Recover every ledger entry, even one whose run is still alive (renews its Lease): the run is told it was recovered early." };
        var command = new Command("sweep", "Recover what crashed or interrupted runs left behind (the janitor): images back, uncordon, taints removed. Exit 0 clean, 3 when entries are left.") { force };
        command.SetAction(CliContext.Action(workingDirectory, async (context, cancellationToken) =>
        {
            await using var session = await context.ConnectAsync(null, [], cancellationToken);
            var options = new SweepOptions { Force = context.Parse.GetValue(force) };
            context.Config.Apply(options.Safety);
            var sweep = await ChaosJanitor.SweepAsync(session.Client, options, cancellationToken);
            context.Out.WriteJson(new { clean = sweep.IsClean, recovered = sweep.Recovered, skipped = sweep.Skipped, failed = sweep.Failed });
            context.Out.Table(["RESULT", "ENTRY"],
                sweep.Recovered.Select(r => new[] { "recovered", r }).Concat(sweep.Skipped.Select(s => new[] { "skipped", s })).Concat(sweep.Failed.Select(f => new[] { "failed", f })));
            context.Out.Line($"{sweep.Recovered.Count} recovered, {sweep.Skipped.Count} skipped (run alive), {sweep.Failed.Count} failed.");
            return sweep.IsClean ? ExitCodes.Held : ExitCodes.Refused;
        }));
        return command;
    }
}
