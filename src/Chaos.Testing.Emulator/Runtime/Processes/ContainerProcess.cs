using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// A container running as a process of this machine: PID 1 of its own PID namespace (or in its target's namespaces),
/// in its own cgroup with its limits, with its capabilities and user, its output in a CRI log file.
/// </summary>
/// <remarks>
/// Times (start, finish, log lines) come from the given clock. Waits (the grace period, timeouts) are real time:
/// they wait for real processes.
/// </remarks>
internal sealed partial class ContainerProcess : IAsyncDisposable
{
    private static readonly TimeSpan PidTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] LauncherErrors = ["ip:", "Cannot open network namespace", "unshare:", "nsenter:", "cannot join the cgroup"];

    private readonly ContainerLaunch _launch;
    private readonly ContainerStart _start;
    private readonly Process _launcher;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource<ContainerExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _lastErrors = new();
    private readonly Task _stdout;
    private readonly Task _stderr;
    private readonly long _oomKillsBefore;
    private int _unshareKilled;
    private int _disposed;

    private ContainerProcess(ContainerLaunch launch, ContainerStart start, Process launcher, TimeProvider time)
    {
        _launch = launch;
        _start = start;
        _launcher = launcher;
        _time = time;
        _oomKillsBefore = start.OomKillsBefore;
        StartedAt = time.GetUtcNow();
        _stdout = OutputPump.RunAsync(launcher.StandardOutput.BaseStream, "stdout", start.Log, _ => { }, () => { });
        _stderr = OutputPump.RunAsync(launcher.StandardError.BaseStream, "stderr", start.Log, KeepError, () => Volatile.Write(ref _unshareKilled, 1));
    }

    /// <summary>Gets the host's PID of the container's PID 1; 0 when it exited before its PID could be read.</summary>
    public int HostPid { get; private set; }

    /// <summary>Gets when the container started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Gets a task that completes once the container's PID 1 is gone (and its output is in the log).</summary>
    public Task<ContainerExit> Exited => _exited.Task;

    /// <summary>Gets the container's cgroup, or <see langword="null"/> when this machine has none.</summary>
    internal ContainerCgroup? Cgroup => _start.Cgroup;

    /// <summary>Gets the PID of the first tool of the launch chain (<c>unshare</c> or <c>nsenter</c>).</summary>
    internal int LauncherPid => _launcher.Id;

    /// <summary>Starts a container and returns once its PID 1 runs.</summary>
    /// <param name="launch">What to run and how.</param>
    /// <param name="time">The clock of its times; the system clock when <see langword="null"/>.</param>
    /// <returns>The running container.</returns>
    /// <exception cref="ContainerStartException">It cannot start; the message says why.</exception>
    public static ContainerProcess Start(ContainerLaunch launch, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var start = ContainerStart.Prepare(launch, time);
        Process launcher;
        try
        {
            launcher = Process.Start(start.StartInfo(start.ContainerArgv)) ?? throw new InvalidOperationException("no process was started");
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or ArgumentException)
        {
            start.Abandon();
            throw new ContainerStartException("StartError", $"container {launch.Name}: cannot run {start.ContainerArgv[0]}: {ex.Message}", ex);
        }

        // The container has no terminal and no stdin: a shell reads end of file and exits, as in a real pod.
        launcher.StandardInput.Close();
        var container = new ContainerProcess(launch, start, launcher, time);
        _ = container.MonitorAsync();
        try
        {
            container.FindPid1();
            return container;
        }
        catch (ContainerStartException)
        {
            container.DisposeAsync().AsTask().Wait(CleanupTimeout);
            throw;
        }
        finally
        {
            // The chain entered the container's filesystem before its process appeared (or failed): it holds a copy.
            start.ReleaseRoot();
        }
    }

    /// <summary>
    /// Stops the container as the kubelet does: SIGTERM to its PID 1, then SIGKILL when the grace period ends. PID 1
    /// ignores a signal it has no handler for, so a process without a SIGTERM handler runs until the SIGKILL.
    /// </summary>
    /// <param name="gracePeriod">How long it may take after SIGTERM.</param>
    /// <param name="cancellationToken">Stops waiting (the container goes on stopping).</param>
    /// <returns>A task that completes when the container exited.</returns>
    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken = default)
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        ProcessTree.Signal(HostPid, ProcessTree.SigTerm);
        if (gracePeriod > TimeSpan.Zero)
        {
            await Task.WhenAny(Exited, Task.Delay(gracePeriod, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (!Exited.IsCompleted)
        {
            ProcessTree.Signal(HostPid, ProcessTree.SigKill);
        }

        await Exited.WaitAsync(cancellationToken);
    }

    /// <summary>Kills the container if it runs, waits for it, and removes its cgroup (killing whatever is left in it).</summary>
    /// <returns>A task that completes when it is cleaned up.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!Exited.IsCompleted)
        {
            // PID 1 first, so that unshare reaps it: killed together, PID 1 would be left a zombie for the host's init.
            ProcessTree.Signal(HostPid, ProcessTree.SigKill);
            if (HostPid <= 0 || await Task.WhenAny(Exited, Task.Delay(DrainTimeout)) != Exited)
            {
                KillLauncher();
            }
        }

        try
        {
            await Exited.WaitAsync(CleanupTimeout);
        }
        catch (TimeoutException)
        {
            // Cleaned below as far as possible.
        }

        if (Cgroup is { } cgroup)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                cgroup.KillAll();
                if (cgroup.Remove() || deadline.Elapsed > CleanupTimeout)
                {
                    break;
                }

                await Task.Delay(20); // A killed process is gone from the cgroup only once reaped.
            }
        }

        _start.Log.Dispose();
        _launcher.Dispose();
    }

    private void FindPid1()
    {
        // The container's PID 1 is the child of unshare (or of nsenter): poll for it briefly.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < PidTimeout)
        {
            if (ProcessTree.Children(_launcher.Id) is [var child, ..])
            {
                HostPid = child;
                return;
            }

            if (_launcher.WaitForExit(2) && ProcessTree.Children(_launcher.Id).Count == 0)
            {
                ThrowIfLauncherFailed();
                return; // It ran and exited before its PID could be read; Exited tells how.
            }
        }

        KillLauncher();
        throw new ContainerStartException("StartError", $"container {_launch.Name}: its process did not appear within {PidTimeout.TotalSeconds:0} s");
    }

    private void ThrowIfLauncherFailed()
    {
        if (_launcher.ExitCode == 0)
        {
            return;
        }

        // A tool of the chain failed before the container ran (no network namespace of that name, a target gone).
        Task.WhenAll(_stdout, _stderr).Wait(DrainTimeout);
        var errors = _lastErrors.Where(line => LauncherErrors.Any(e => line.StartsWith(e, StringComparison.Ordinal))).ToList();
        if (errors.Count > 0)
        {
            throw new ContainerStartException("StartError", $"container {_launch.Name}: {string.Join("; ", errors)}");
        }
    }

    private void KeepError(string line)
    {
        _lastErrors.Enqueue(line);
        while (_lastErrors.Count > 20 && _lastErrors.TryDequeue(out _))
        {
        }
    }

    private async Task MonitorAsync()
    {
        try
        {
            _exited.TrySetResult(await ExitAsync());
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            _exited.TrySetResult(new ContainerExit(-1, null, "Error", _time.GetUtcNow(), $"the container's exit could not be read: {ex.Message}"));
        }
    }

    private async Task<ContainerExit> ExitAsync()
    {
        await _launcher.WaitForExitAsync();
        var finished = _time.GetUtcNow();

        // What the container started dies with it, as the runtime kills a container's cgroup when it ends. Its own PID
        // namespace did that already; in a target's namespace (an ephemeral container) it has not.
        Cgroup?.KillAll();

        // The output of the last moments is read before anyone learns of the exit (the log is complete then).
        await Task.WhenAny(Task.WhenAll(_stdout, _stderr), Task.Delay(DrainTimeout));
        var code = _launcher.ExitCode;
        if (code == 1 && Volatile.Read(ref _unshareKilled) == 1)
        {
            code = 128 + ProcessTree.SigKill; // util-linux 2.38.1: see OutputPump.UnshareKilledLine.
        }

        int? signal = code is > 128 and <= 128 + 64 ? code - 128 : null;
        var oomKilled = code == 128 + ProcessTree.SigKill && Cgroup is { } cgroup && cgroup.OomKills() > _oomKillsBefore;
        var reason = oomKilled ? "OOMKilled" : code == 0 ? "Completed" : "Error";
        return new ContainerExit(code, signal, reason, finished, null);
    }

    private void KillLauncher()
    {
        try
        {
            // SIGKILL to unshare: --kill-child takes the container's PID 1 with it.
            _launcher.Kill();
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }
}
