namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>The outcome of a command run inside a running container (an exec probe, <c>kubectl exec</c>).</summary>
/// <param name="ExitCode">The exit code; -1 when it timed out (it was killed).</param>
/// <param name="Output">Its standard output and standard error, interleaved as they arrived, at most 64 KiB.</param>
/// <param name="TimedOut">Whether the timeout ended it.</param>
internal sealed record ExecResult(int ExitCode, string Output, bool TimedOut);
