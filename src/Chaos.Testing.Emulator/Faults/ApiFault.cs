namespace Chaos.Testing.Emulator;

/// <summary>
/// A fault the emulator injects into matching API requests, so a client's own resilience (retries, backoff,
/// recovery) can be tested. Add it with <see cref="ApiFaults.Add(ApiFault)"/>.
/// </summary>
/// <example>
/// <code>
/// // 20% of writes fail with 503, forever:
/// cluster.ApiFaults.Add(new ApiFault { StatusCode = 503, Verbs = ApiFault.WriteVerbs, Probability = 0.2 });
/// // the next two pod deletions get a 409:
/// cluster.ApiFaults.Add(new ApiFault { StatusCode = 409, Verbs = ["delete"], Resource = "pods", Times = 2 });
/// </code>
/// </example>
public sealed record ApiFault
{
    /// <summary>The verbs that change the cluster: create, update, patch, delete and deletecollection.</summary>
    public static readonly IReadOnlyList<string> WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    /// <summary>Gets the HTTP status code to answer with instead of serving the request (a real <c>Status</c> body is sent).</summary>
    /// <value>The default value is <see langword="null"/>: no error, only <see cref="Latency"/>.</value>
    public int? StatusCode { get; init; }

    /// <summary>Gets the delay added before the request is served (or failed).</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan Latency { get; init; }

    /// <summary>Gets the Kubernetes verbs the fault applies to (<c>get</c>, <c>list</c>, <c>watch</c>, <c>create</c>, ...).</summary>
    /// <value>The default value is <see langword="null"/>: every verb.</value>
    public IReadOnlyCollection<string>? Verbs { get; init; }

    /// <summary>Gets the resource (plural, e.g. <c>pods</c>, or <c>pods/eviction</c> for a subresource) the fault applies to.</summary>
    /// <value>The default value is <see langword="null"/>: every resource, discovery excluded.</value>
    public string? Resource { get; init; }

    /// <summary>Gets the namespace the fault applies to.</summary>
    /// <value>The default value is <see langword="null"/>: every namespace and cluster-scoped requests.</value>
    public string? Namespace { get; init; }

    /// <summary>Gets the probability (0 to 1) that a matching request is faulted.</summary>
    /// <value>The default value is 1. With both a status code and a latency, each is drawn separately.</value>
    public double Probability { get; init; } = 1.0;

    /// <summary>Gets how many requests the fault affects before it stops.</summary>
    /// <value>The default value is <see langword="null"/>: no limit.</value>
    public int? Times { get; init; }

    internal void Validate()
    {
        var errors = new List<string>();
        if (StatusCode is { } code && (code < 400 || code > 599))
        {
            errors.Add($"StatusCode: must be an error status between 400 and 599, was {code}.");
        }

        if (StatusCode is null && Latency <= TimeSpan.Zero)
        {
            errors.Add("StatusCode/Latency: set a StatusCode, a positive Latency, or both; the fault would do nothing.");
        }

        if (Latency < TimeSpan.Zero)
        {
            errors.Add($"Latency: must not be negative, was {Latency}.");
        }

        if (Probability is < 0 or > 1 || double.IsNaN(Probability))
        {
            errors.Add($"Probability: must be between 0 and 1, was {Probability}.");
        }

        if (Times is <= 0)
        {
            errors.Add($"Times: must be at least 1 (or null for no limit), was {Times}.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("The 'ApiFault' is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "- " + e)));
        }
    }
}
