namespace Chaos.Testing;

/// <summary>Recovery could not restore everything; <see cref="Left"/> names each object still changed.</summary>
internal sealed class RecoveryException(IReadOnlyList<string> left, Exception? inner)
    : Exception($"{left.Count} object(s) not recovered: {string.Join("; ", left)}", inner)
{
    public IReadOnlyList<string> Left { get; } = left;
}
