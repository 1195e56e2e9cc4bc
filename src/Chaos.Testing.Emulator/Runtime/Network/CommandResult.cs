namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>What a command did: its exit code, standard output and standard error.</summary>
/// <param name="ExitCode">The exit code (-1 when it was killed for taking too long).</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Error">Its standard error.</param>
internal readonly record struct CommandResult(int ExitCode, string Output, string Error);
