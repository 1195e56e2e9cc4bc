namespace Chaos.Testing.Emulator;

/// <summary>One request the emulator served, as an audit log records it.</summary>
/// <param name="Timestamp">When the request arrived, from the emulator's <see cref="TimeProvider"/>.</param>
/// <param name="Verb">The Kubernetes verb: <c>get</c>, <c>list</c>, <c>watch</c>, <c>create</c>, <c>update</c>, <c>patch</c>, <c>delete</c> or <c>deletecollection</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path (without the query).</param>
/// <param name="Query">The query string, including the leading <c>?</c> when present.</param>
/// <param name="Resource">The resource (plural, e.g. <c>pods</c>), or empty for discovery and other non-resource paths.</param>
/// <param name="Subresource">The subresource (<c>status</c>, <c>eviction</c>, <c>ephemeralcontainers</c>), if any.</param>
/// <param name="Namespace">The namespace of the request, if any.</param>
/// <param name="Name">The object name, if any.</param>
/// <param name="UserAgent">The client's <c>User-Agent</c> header.</param>
/// <param name="StatusCode">The HTTP status code the emulator answered with.</param>
/// <param name="InjectedFault">True when an API fault configured with <see cref="ApiFaults"/> produced the answer.</param>
public sealed record AuditEntry(
    DateTimeOffset Timestamp,
    string Verb,
    string Method,
    string Path,
    string Query,
    string Resource,
    string? Subresource,
    string? Namespace,
    string? Name,
    string UserAgent,
    int StatusCode,
    bool InjectedFault)
{
    /// <summary>Gets a value indicating whether the request asked to change the cluster (create, update, patch, delete, deletecollection).</summary>
    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    /// <inheritdoc />
    public override string ToString() =>
        $"{Verb} {Path}{Query} -> {StatusCode}{(InjectedFault ? " (injected)" : string.Empty)}";
}
