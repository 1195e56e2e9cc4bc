using System.Diagnostics;
using System.Text;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>Commands run inside a running container: exec probes and <c>kubectl exec</c>.</summary>
internal sealed partial class ContainerProcess
{
    private const int MaxExecOutputChars = 64 * 1024;

    /// <summary>
    /// Runs a command inside the container: in its network, PID and mount namespaces and its cgroup, with its user,
    /// capabilities and environment, as the kubelet's exec does. The command and anything it started are killed when
    /// the timeout ends.
    /// </summary>
    /// <param name="command">The program and its arguments.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <param name="cancellationToken">Kills it and throws.</param>
    /// <returns>Its exit code and output, or <see cref="ExecResult.TimedOut"/>.</returns>
    /// <exception cref="InvalidOperationException">The container is not running, or the command cannot be started.</exception>
    public async Task<ExecResult> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Count, nameof(command));
        if (Exited.IsCompleted || HostPid <= 0)
        {
            throw new InvalidOperationException($"container {_launch.Name} is not running");
        }

        var argv = LaunchCommand.ForExec(_launch, HostPid, _start.Tools, Cgroup?.ProcsFiles ?? [], _start.Available, _start.WorkingDirectory, command);
        var info = _start.StartInfo(argv);
        info.WorkingDirectory = "/";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"container {_launch.Name}: exec could not start nsenter");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var pumps = Task.WhenAll(Collect(process.StandardOutput.BaseStream, output), Collect(process.StandardError.BaseStream, output));
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }

        // A background process of the command may hold the pipes open: its output is not waited for long.
        await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
        lock (output)
        {
            return new ExecResult(timedOut ? -1 : process.ExitCode, output.ToString(), timedOut);
        }
    }

    private static void KillTree(Process process)
    {
        // The whole tree is read before anything is killed: a killed parent's children would move to the container's
        // PID 1 and out of sight.
        foreach (var pid in ProcessTree.WithDescendants(process.Id).Reverse())
        {
            ProcessTree.Signal(pid, ProcessTree.SigKill);
        }

        process.WaitForExit();
    }

    private static async Task Collect(Stream source, StringBuilder output)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[4096];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        try
        {
            int read;
            while ((read = await source.ReadAsync(bytes)) > 0)
            {
                var count = decoder.GetChars(bytes, 0, read, chars, 0);
                lock (output)
                {
                    output.Append(chars, 0, Math.Min(count, Math.Max(0, MaxExecOutputChars - output.Length)));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe closed under us: the output ends there.
        }
    }
}
