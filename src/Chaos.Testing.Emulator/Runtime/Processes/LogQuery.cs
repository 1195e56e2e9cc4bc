namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>Which lines of a log to read, as the pod log endpoint's parameters choose them.</summary>
/// <param name="TailLines">Only the last this many lines, or <see langword="null"/> for all.</param>
/// <param name="SinceTime">Only lines at or after this time, or <see langword="null"/> for all.</param>
/// <param name="LimitBytes">
/// At most this many bytes of text (each line counted with its line end); the line that crosses the limit is cut, as
/// the kubelet cuts it. <see langword="null"/> for no limit.
/// </param>
internal sealed record LogQuery(int? TailLines = null, DateTimeOffset? SinceTime = null, long? LimitBytes = null);
