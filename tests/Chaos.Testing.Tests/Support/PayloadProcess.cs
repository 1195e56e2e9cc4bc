using System.Diagnostics;
using System.Text;

namespace Chaos.Testing.Tests.Support;

/// <summary>Runs a generated payload script with the host's <c>sh</c>, as the payload container would: <c>sh -c script name</c>.</summary>
public sealed class PayloadProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _installed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PayloadProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public int Id => _process.Id;

    /// <summary>Starts <c>sh -c script name</c>, optionally inside a network namespace (<c>ip netns exec</c>).</summary>
    internal static PayloadProcess Start(IList<string> command, string? netns = null)
    {
        var start = new ProcessStartInfo(netns is null ? command[0] : "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (netns is not null)
        {
            foreach (var arg in new[] { "netns", "exec", netns, command[0] })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        var process = new PayloadProcess(Process.Start(start)!);
        process._process.OutputDataReceived += (_, e) => process.Append(e.Data);
        process._process.ErrorDataReceived += (_, e) => process.Append(e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits for the payload's <c>chaos: installed</c> line (fails with its output when it exits first).</summary>
    public async Task WaitInstalledAsync(TimeSpan? timeout = null)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_installed.Task, exited, Task.Delay(timeout ?? TimeSpan.FromSeconds(20)));
        if (done != _installed.Task)
        {
            throw new InvalidOperationException($"the payload did not install (exit {ExitCode?.ToString() ?? "none"}):\n{Output}");
        }
    }

    public void Terminate() => Signal("TERM");

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_process.Id}")!;
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line == "chaos: installed")
        {
            _installed.TrySetResult();
        }
    }
}
