namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>What an image and a container's command and args run on this machine, or why nothing can.</summary>
/// <param name="Argv">The program and its arguments, or <see langword="null"/> when <paramref name="Problem"/> says why not.</param>
/// <param name="Problem">Why the image cannot run here and how to fix it, or <see langword="null"/>.</param>
internal sealed record ImageResolution(IReadOnlyList<string>? Argv, string? Problem);
