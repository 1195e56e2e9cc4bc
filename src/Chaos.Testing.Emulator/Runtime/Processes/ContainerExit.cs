namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>How a container's PID 1 ended, as a container status's <c>terminated</c> state reports it.</summary>
/// <param name="ExitCode">The exit code; 128 + the signal when a signal ended it (137 for SIGKILL).</param>
/// <param name="Signal">
/// The signal that ended it, when the code says so: a code above 128 is read as a signal, as shells do, so a process
/// that calls <c>exit(143)</c> is reported as ended by SIGTERM too.
/// </param>
/// <param name="Reason"><c>Completed</c> (code 0), <c>Error</c>, or <c>OOMKilled</c> (the memory cgroup's OOM killer ended it).</param>
/// <param name="FinishedAt">When the exit was seen.</param>
/// <param name="Message">A message for the status, or <see langword="null"/>; see <see cref="ContainerLog.Tail"/> for <c>FallbackToLogsOnError</c>.</param>
internal sealed record ContainerExit(int ExitCode, int? Signal, string Reason, DateTimeOffset FinishedAt, string? Message);
