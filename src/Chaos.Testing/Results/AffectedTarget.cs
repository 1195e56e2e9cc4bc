namespace Chaos.Testing;

/// <summary>One action the experiment took (or, in a dry run, would have taken) on one object.</summary>
/// <param name="Kind">The object kind, e.g. <c>Pod</c>.</param>
/// <param name="Namespace">The namespace, or null for cluster-scoped objects.</param>
/// <param name="Name">The object name.</param>
/// <param name="Action">What was done, e.g. <c>killed (grace 0s)</c> or <c>would kill</c>.</param>
/// <param name="At">When it was done.</param>
public sealed record AffectedTarget(string Kind, string? Namespace, string Name, string Action, DateTimeOffset At)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind} {(Namespace is null ? Name : $"{Namespace}/{Name}")}: {Action} at {At:HH:mm:ss.fff}";
}
