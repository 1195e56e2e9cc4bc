using System.Collections.Concurrent;
using System.Diagnostics;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// Runs the machine's network tools (<c>ip</c>, <c>iptables-restore</c>, ...) as processes: arguments as a list (never
/// a shell string, so no name is ever interpreted), standard input for batches, and standard error kept for the message
/// when a command fails.
/// </summary>
internal static class HostCommand
{
    /// <summary>The tools the pod network runs, and the package that brings each.</summary>
    public static readonly IReadOnlyList<(string Tool, string Package)> Tools =
    [
        ("ip", "iproute2"),
        ("iptables", "iptables"),
        ("iptables-save", "iptables"),
        ("iptables-restore", "iptables"),
    ];

    // Long enough for iptables waiting on the xtables lock on a loaded machine; a hung tool still ends the call.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static readonly ConcurrentDictionary<string, string?> Paths = new(StringComparer.Ordinal);

    /// <summary>The full path of <paramref name="tool"/>, or null. The sbin folders count even when PATH lacks them (a sudo PATH often does).</summary>
    public static string? Find(string tool) => Paths.GetOrAdd(tool, static name =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists));

    /// <summary>Runs the command and returns its standard output; throws with the command and its standard error when it fails.</summary>
    public static string Run(string tool, IReadOnlyList<string> arguments, string? input = null)
    {
        var result = TryRun(tool, arguments, input);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(Failure(tool, arguments, input, result));
        }

        return result.Output;
    }

    /// <summary>Runs the command and returns what happened, whatever its exit code.</summary>
    public static CommandResult TryRun(string tool, IReadOnlyList<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(Find(tool) ?? tool)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Messages are parsed in places ("Cannot find device"): keep them in English.
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"'{Describe(tool, arguments)}' did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            try
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The tool exited before reading everything: its exit code and standard error tell why.
            }
        }

        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new CommandResult(-1, output.Result, $"{error.Result}(killed after {Limit.TotalSeconds:0} s)");
        }

        process.WaitForExit(); // flushes the redirected streams
        return new CommandResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The failure message: the command, its exit code, its standard error, and the batch it read.</summary>
    public static string Failure(string tool, IReadOnlyList<string> arguments, string? input, CommandResult result)
    {
        var batch = input is null ? string.Empty : $"{Environment.NewLine}Its input was:{Environment.NewLine}{input.TrimEnd()}";
        return $"'{Describe(tool, arguments)}' exited with {result.ExitCode}: {result.Error.Trim()}{batch}";
    }

    private static string Describe(string tool, IReadOnlyList<string> arguments) =>
        string.Join(' ', arguments.Select(a => a.Length == 0 || a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a).Prepend(tool));
}
