using System.CommandLine;
using System.CommandLine.Invocation;
using Chaos.Testing.Cli.Commands;

namespace Chaos.Testing.Cli;

/// <summary>The <c>chaos</c> tool: its commands, global options, and the run of one command line.</summary>
internal static class ChaosCli
{
    /// <summary>Runs one command line with the given streams and working directory (the tests call this in process).</summary>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, string workingDirectory, CancellationToken cancellationToken = default)
    {
        var root = Build(workingDirectory);
        var parse = root.Parse(args);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = TextWriter.Synchronized(output), Error = TextWriter.Synchronized(error) }, cancellationToken);
        return parse.Errors.Count > 0 && parse.Action is ParseErrorAction ? ExitCodes.Invalid : code;
    }

    /// <summary>The command tree; <paramref name="workingDirectory"/> is where the config file is looked for and relative paths start.</summary>
    public static RootCommand Build(string workingDirectory)
    {
        var root = new RootCommand(
            "Chaos experiments in the operator's ChaosExperiment format, run by the Chaos.Testing engine: validate, check, run, "
            + "sweep, list, describe, stats. Exit codes: 0 held, 1 steady state broken, 2 invalid, 3 refused, 4 error. See docs/cli.md.");
        foreach (var option in GlobalOptions.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(ValidateCommand.Create(workingDirectory));
        root.Subcommands.Add(CheckCommand.Create(workingDirectory));
        root.Subcommands.Add(RunCommand.Create(workingDirectory));
        root.Subcommands.Add(SweepCommand.Create(workingDirectory));
        root.Subcommands.Add(ListCommand.CreateList(workingDirectory));
        root.Subcommands.Add(ListCommand.CreateDescribe(workingDirectory));
        root.Subcommands.Add(StatsCommand.Create(workingDirectory));
        root.Subcommands.Add(CompletionCommand.Create());
        return root;
    }
}

/// <summary>Options every command takes (recursive on the root).</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "Output format: table (for people) or json (for programs). Default: the config file's, else table.",
        Recursive = true,
    };

    public static readonly Option<string?> Context = new("--context")
    {
        Description = "The kubeconfig context to use (default: the config file's, else the current context).",
        Recursive = true,
    };

    public static readonly Option<string?> Kubeconfig = new("--kubeconfig")
    {
        Description = "The kubeconfig file (default: the config file's, else $KUBECONFIG or ~/.kube/config).",
        Recursive = true,
    };

    public static readonly Option<string?> Config = new("--config")
    {
        Description = "The project config file (default: the first chaos.json or .chaos.json upward from the working directory).",
        Recursive = true,
    };

    public static IReadOnlyList<Option> All { get; } = [Output, Context, Kubeconfig, Config];

    static GlobalOptions()
    {
        Output.AcceptOnlyFromAmong("table", "json");
    }
}

/// <summary>What a command's action gets: the parse result, the streams, the config file, and where it runs.</summary>
internal sealed class CliContext
{
    private CliContext(ParseResult parse, CliConfig config, string workingDirectory)
    {
        Parse = parse;
        Config = config;
        WorkingDirectory = workingDirectory;
        var format = parse.GetValue(GlobalOptions.Output) ?? config.Output ?? "table";
        if (format is not ("table" or "json"))
        {
            throw new InvalidDataException($"output \"{format}\" (from {config.Path}): use table or json.");
        }

        Out = new CliOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, format == "json");
    }

    public ParseResult Parse { get; }

    public CliConfig Config { get; }

    public CliOutput Out { get; }

    public string WorkingDirectory { get; }

    public string? Kubeconfig => Path(Parse.GetValue(GlobalOptions.Kubeconfig)) ?? Config.Resolve(Config.Kubeconfig);

    public string? KubeContext => Parse.GetValue(GlobalOptions.Context) ?? Config.Context;

    /// <summary>
    /// Runs a command's body with the tool's error handling: bad input exits <see cref="ExitCodes.Invalid"/>, a cluster that
    /// cannot be reached or fails exits <see cref="ExitCodes.Error"/>, each with one readable line on the error stream.
    /// </summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(string workingDirectory, Func<CliContext, CancellationToken, Task<int>> body) => async (parse, cancellationToken) =>
    {
        var error = parse.InvocationConfiguration.Error;
        CliContext context;
        try
        {
            context = new CliContext(parse, CliConfig.Find(parse.GetValue(GlobalOptions.Config), workingDirectory), workingDirectory);
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"chaos: {CliOutput.Clean(ex.Message)}");
            return ExitCodes.Invalid;
        }

        try
        {
            return await body(context, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"chaos: {CliOutput.Clean(ex.Message)}");
            return ExitCodes.Invalid;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("chaos: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or TimeoutException or ChaosRefusedException
                                      or OperationCanceledException or IOException or System.Security.Authentication.AuthenticationException)
        {
            var detail = ex is k8s.Autorest.HttpOperationException http ? $" ({(int)http.Response.StatusCode}: {http.Response.Content})" : string.Empty;
            await error.WriteLineAsync($"chaos: error: {CliOutput.Clean(ex.Message + detail, 2000)}");
            return ExitCodes.Error;
        }
    };

    /// <summary>Connects as the options and config say: <c>--cluster emulator</c> starts one, otherwise the kubeconfig's context.</summary>
    public async Task<ClusterSession> ConnectAsync(string? cluster, IReadOnlyList<string> apply, CancellationToken cancellationToken)
    {
        if (cluster is "emulator")
        {
            return await ClusterSession.StartEmulatorAsync(apply.Select(a => Path(a)!).ToList(), Out.Error, cancellationToken);
        }

        if (cluster is not null)
        {
            throw new InvalidDataException($"--cluster \"{cluster}\": the only cluster the tool starts is \"emulator\"; for another, use --context or --kubeconfig.");
        }

        if (apply.Count > 0)
        {
            throw new InvalidDataException("--apply is for --cluster emulator only: the tool does not write workloads to a real cluster (use kubectl apply).");
        }

        var session = ClusterSession.Connect(Kubeconfig, KubeContext);
        Out.Remark($"cluster: {session.Description}");
        return session;
    }

    /// <summary>A path given on the command line, made absolute against the working directory.</summary>
    public string? Path(string? path) => path is null ? null : System.IO.Path.GetFullPath(path, WorkingDirectory);
}
