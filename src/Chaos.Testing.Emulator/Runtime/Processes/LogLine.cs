namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>One line of a container's log.</summary>
/// <param name="Time">When the runtime read it.</param>
/// <param name="Stream"><c>stdout</c> or <c>stderr</c>.</param>
/// <param name="Text">The text, without the line end.</param>
internal sealed record LogLine(DateTimeOffset Time, string Stream, string Text);
