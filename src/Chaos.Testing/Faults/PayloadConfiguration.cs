namespace Chaos.Testing;

/// <summary>
/// What the janitor's payload cleanups take from configuration, never from a ledger entry: the image per fault (else
/// the fault's default in code) and the namespace node payload pods run in.
/// </summary>
/// <param name="Images">Image by fault name (e.g. <c>network-delay</c>).</param>
/// <param name="NodePayloadNamespace">The namespace of node payload pods and their cleanup pods.</param>
internal sealed record PayloadConfiguration(IReadOnlyDictionary<string, string> Images, string NodePayloadNamespace)
{
    /// <summary>The defaults: every fault's own image, node payloads in <c>default</c> (as <c>NodePayloadOptions.Namespace</c>).</summary>
    public static PayloadConfiguration Default { get; } = new(new Dictionary<string, string>(), "default");

    /// <summary>The image the cleanup of <paramref name="fault"/> runs: the configured one, else <paramref name="defaultImage"/>.</summary>
    public string ImageFor(string fault, string defaultImage) => Images.TryGetValue(fault, out var image) ? image : defaultImage;
}
