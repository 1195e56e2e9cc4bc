using System.Diagnostics;
using Chaos.Testing.Emulator.Runtime.Processes;
using Chaos.Testing.Emulator.Tests.Support;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>
/// A test class that starts containers as processes: each gets its own cgroup under <c>cte-test-&lt;id&gt;</c> and a
/// log file in a temporary directory; all are disposed (killed, cgroups removed) after the test.
/// </summary>
public abstract class ContainerTest : IAsyncLifetime
{
    /// <summary>Deadlines are generous: the machine may run at a load of 15.</summary>
    protected static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    private readonly List<ContainerProcess> _started = [];
    private int _count;

    protected ContainerTest()
    {
        Run = $"cte-test-{Guid.NewGuid():N}"[..20];
        Scratch = Directory.CreateTempSubdirectory("cte-test-").FullName;
    }

    /// <summary>Gets the cgroup directory of this test, under each hierarchy.</summary>
    protected string Run { get; }

    /// <summary>Gets a temporary directory of this test (log files, working directories).</summary>
    protected string Scratch { get; }

    /// <summary>A launch with the defaults of a plain container: default capabilities, root, no limits, the host network.</summary>
    private protected ContainerLaunch Launch(params string[] command)
    {
        var name = $"c{Interlocked.Increment(ref _count)}";
        return new ContainerLaunch(
            name, command, new Dictionary<string, string>(), null, null, null, CapabilitySet.Default, null, null, false, null, null,
            $"{Run}/pod/{name}", Path.Combine(Scratch, $"{name}.log"));
    }

    /// <summary>Starts a container, disposed after the test.</summary>
    private protected ContainerProcess Start(ContainerLaunch launch)
    {
        var container = ContainerProcess.Start(launch);
        lock (_started)
        {
            _started.Add(container);
        }

        return container;
    }

    /// <summary>Runs a container to its end and returns its exit and its output (stdout and stderr lines, in log order).</summary>
    private protected async Task<(ContainerExit Exit, IReadOnlyList<LogLine> Lines)> RunToEnd(ContainerLaunch launch)
    {
        var container = Start(launch);
        var exit = await container.Exited.WaitAsync(Slow);
        return (exit, ContainerLog.Read(launch.LogPath, new LogQuery()));
    }

    /// <summary>Waits until the container's log has a line with <paramref name="text"/>.</summary>
    private protected static Task WaitForLine(ContainerLaunch launch, string text) =>
        Eventually.UntilAsync(
            () => ContainerLog.Read(launch.LogPath, new LogQuery()).Any(l => l.Text.Contains(text, StringComparison.Ordinal)),
            $"the log of {launch.Name} has a line with \"{text}\"",
            Slow);

    /// <summary>Runs a command of this machine and returns its output.</summary>
    protected static string Host(string program, params string[] args)
    {
        var info = new ProcessStartInfo(HostTools.Find(program) ?? program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var container in _started)
        {
            await container.DisposeAsync();
        }

        Cgroups.RemoveLeftovers(Run);
        Directory.Delete(Scratch, recursive: true);
    }
}
