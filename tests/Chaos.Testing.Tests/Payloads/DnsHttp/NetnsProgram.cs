using System.Diagnostics;
using System.Globalization;
using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>A Python program running in a network namespace (a test server); it prints <c>ready</c> once it listens.</summary>
public sealed class NetnsProgram : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NetnsProgram(Process process) => _process = process;

    /// <summary>Gets the lines the program printed after <c>ready</c>.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static async Task<NetnsProgram> StartAsync(string ns, string program, params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", ns, TestPython.Executable, "-c", program }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        var running = new NetnsProgram(Process.Start(start)!);
        running._process.OutputDataReceived += (_, e) => running.Append(e.Data);
        running._process.ErrorDataReceived += (_, e) => running.Append(e.Data is null ? null : "stderr: " + e.Data);
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        if (await Task.WhenAny(running._ready.Task, Task.Delay(TimeSpan.FromSeconds(15))) != running._ready.Task)
        {
            running.Dispose();
            throw new InvalidOperationException($"the test program did not get ready:\n{string.Join('\n', running.Lines)}");
        }

        return running;
    }

    /// <summary>Runs a program to its end in <paramref name="ns"/> and returns its exit code and stdout.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string ns, string program, params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", ns, program }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Kills, by <c>pkill -f</c>, the processes whose command line matches <paramref name="pattern"/> (a test's leftovers).</summary>
    public static void Kill(string pattern)
    {
        using var kill = Process.Start("pkill", ["-KILL", "-f", pattern])!;
        kill.WaitForExit();
    }

    /// <summary>The pids of the processes whose command line matches <paramref name="pattern"/> (<c>pgrep -f</c>).</summary>
    public static IReadOnlyList<int> Find(string pattern)
    {
        var start = new ProcessStartInfo("pgrep") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(pattern);
        using var pgrep = Process.Start(start)!;
        var output = pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line == "ready")
        {
            _ready.TrySetResult();
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
