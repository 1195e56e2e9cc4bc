using System.CommandLine;

namespace Chaos.Testing.Cli.Commands;

/// <summary><c>chaos validate &lt;files|dirs&gt;</c>: every problem of every manifest, offline.</summary>
internal static class ValidateCommand
{
    public static Argument<string[]> PathsArgument(string description) => new("paths")
    {
        Description = description,
        Arity = ArgumentArity.OneOrMore,
    };

    public static Command Create(string workingDirectory)
    {
        var paths = PathsArgument("Manifest files or directories (*.yaml, *.yml, recursively).");
        var command = new Command("validate", "Validate ChaosExperiment manifests offline: every problem with its file, line and field. Exit 0 valid, 2 invalid.") { paths };
        command.SetAction(CliContext.Action(workingDirectory, (context, _) =>
        {
            var set = Load(context, context.Parse.GetValue(paths)!);
            Print(context.Out, set);
            return Task.FromResult(set.IsValid ? ExitCodes.Held : ExitCodes.Invalid);
        }));
        return command;
    }

    /// <summary>Loads the manifests of <paramref name="paths"/> (relative to the working directory).</summary>
    public static ChaosManifestSet Load(CliContext context, IEnumerable<string> paths) => ChaosManifest.Load([.. paths.Select(p => context.Path(p)!)]);

    /// <summary>Prints the manifests, problems and notices: a table, or one JSON document.</summary>
    public static void Print(CliOutput output, ChaosManifestSet set)
    {
        output.WriteJson(new
        {
            valid = set.IsValid,
            experiments = set.Manifests.Select(Describe),
            problems = set.Problems.Select(Problem),
            notices = set.Notices.Select(Problem),
        });
        if (output.Json)
        {
            return;
        }

        if (set.Manifests.Count > 0)
        {
            output.Table(["EXPERIMENT", "ACTION", "FAULT", "TARGET", "SOURCE"],
                set.Manifests.Select(m => new[] { m.Key, m.Spec.Action, m.FaultName ?? "-", $"{m.Spec.Namespace} {Selector(m)}", $"{m.Source}{(m.Line is { } l ? $":{l}" : string.Empty)}" }));
        }

        foreach (var notice in set.Notices)
        {
            output.Line($"notice: {notice}");
        }

        foreach (var problem in set.Problems)
        {
            output.Line($"error: {problem}");
        }

        output.Line(set.IsValid
            ? $"{set.Manifests.Count} experiment(s) valid."
            : $"{set.Problems.Count} problem(s) in {set.Manifests.Count} experiment(s): nothing can run until each is fixed.");
    }

    public static string Selector(ChaosManifest manifest) =>
        string.Join(",", manifest.Spec.Selector.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));

    private static object Describe(ChaosManifest m) => new { name = m.Name, experimentNamespace = m.ExperimentNamespace, action = m.Spec.Action, fault = m.FaultName, targetNamespace = m.Spec.Namespace, selector = m.Spec.Selector, source = m.Source, line = m.Line };

    private static object Problem(ManifestProblem p) => new { source = p.Source, line = p.Line, path = p.Path, message = p.Message };
}
