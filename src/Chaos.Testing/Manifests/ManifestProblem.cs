namespace Chaos.Testing;

/// <summary>One problem (or notice) of a manifest: where it is, which field, and what is wrong or worth knowing.</summary>
/// <param name="Source">The file (with the document number when the file holds several) or the name given to a string.</param>
/// <param name="Line">The line of the field in the source (1-based), or null when it is not known.</param>
/// <param name="Path">The field path, e.g. <c>spec.cpuLoad</c> or <c>spec.timeWindows[0].start</c>.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record ManifestProblem(string Source, int? Line, string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source}{(Line is { } line ? $":{line}" : string.Empty)}: {Path}: {Message}";
}
