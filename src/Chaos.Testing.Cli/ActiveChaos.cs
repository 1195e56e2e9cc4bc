using k8s;
using k8s.Models;

namespace Chaos.Testing.Cli;

/// <summary>
/// The chaos active in a cluster now, read from the ledger (the annotations runs write on what they change, found by the
/// ledger label) and the runs' Leases. Everything read is untrusted: entries are verified against the ledger key, and one
/// that is not ours, forged, or not even JSON is listed as such, never acted on and never able to break the listing.
/// </summary>
internal static class ActiveChaos
{
    public static async Task<ActiveChaosView> ReadAsync(IKubernetes client, CliConfig config, CancellationToken cancellationToken)
    {
        var safety = new SafetyOptions();
        config.Apply(safety);
        var api = new ApiCalls(TimeProvider.System);
        var remarks = new List<string>();
        var objects = new List<(string Kind, V1ObjectMeta Meta)>();
        var selector = $"{Ledger.Label}=true";
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: selector, cancellationToken: cancellationToken);
        objects.AddRange(pods.Items.Where(p => config.Namespaces.Count == 0 || config.Namespaces.Contains(p.Metadata.NamespaceProperty)).Select(p => ("Pod", p.Metadata)));
        var nodes = await client.CoreV1.ListNodeAsync(labelSelector: selector, cancellationToken: cancellationToken);
        objects.AddRange(nodes.Items.Select(n => ("Node", n.Metadata)));
        var (key, keyProblem) = objects.Count == 0 ? (null, null) : await LedgerKeyStore.TryReadAsync(client, api, safety.LedgerKeySecret, cancellationToken);
        if (keyProblem is not null)
        {
            remarks.Add($"entries cannot be verified: {keyProblem}");
        }

        var leases = await LeasesAsync(client, SafetyOptions.SplitLedgerKeySecret(safety.LedgerKeySecret).Namespace, remarks, cancellationToken);
        var rows = new List<ActiveEntry>();
        foreach (var (kind, meta) in objects)
        {
            var where = meta.NamespaceProperty is { } ns ? $"{kind.ToLowerInvariant()}/{ns}/{meta.Name}" : $"{kind.ToLowerInvariant()}/{meta.Name}";
            var verified = Ledger.EntriesOf(meta, key);
            rows.AddRange(verified.Select(e => Entry(e, where, "verified", null, leases)));
            foreach (var annotation in (meta.Annotations ?? new Dictionary<string, string>()).Where(a => a.Key.StartsWith(Ledger.AnnotationPrefix, StringComparison.Ordinal)))
            {
                var id = annotation.Key[Ledger.AnnotationPrefix.Length..];
                if (verified.Any(e => e.Experiment == id))
                {
                    continue;
                }

                var problem = Ledger.Unreadable(meta, key, keyProblem).FirstOrDefault(p => p.StartsWith($"annotation {annotation.Key} ", StringComparison.Ordinal)) ?? "not verified";
                var claim = LedgerEntry.Parse(annotation.Value);
                rows.Add(claim is not null && claim.Experiment == id
                    ? Entry(claim, where, "unverified", problem, leases)
                    : new ActiveEntry { Experiment = id, Fault = "?", Target = where, Status = "unreadable", Problem = problem });
            }
        }

        // Runs that hold a Lease but have no ledger entry (yet, or their fault leaves none).
        foreach (var (id, lease) in leases.Where(l => !rows.Any(r => r.Experiment == l.Key)))
        {
            rows.Add(new ActiveEntry { Experiment = id, Fault = "-", Target = "-", Status = "lease only", Since = Since(lease), Lease = LeaseText(lease), Owner = Owner(lease) });
        }

        return new ActiveChaosView(rows.OrderBy(r => r.Since ?? DateTimeOffset.MaxValue).ThenBy(r => r.Experiment, StringComparer.Ordinal).ThenBy(r => r.Target, StringComparer.Ordinal).ToList(), remarks);
    }

    private static ActiveEntry Entry(LedgerEntry entry, string where, string status, string? problem, Dictionary<string, V1Lease> leases)
    {
        var lease = leases.GetValueOrDefault(entry.Experiment);
        return new ActiveEntry
        {
            Experiment = entry.Experiment,
            Fault = entry.Fault,
            Target = where,
            Status = status,
            Problem = problem,
            Since = lease is null ? null : Since(lease),
            Deadline = entry.Deadline,
            Owner = entry.Owner.ToString(),
            Lease = lease is null ? "none (the run is gone: `chaos sweep` recovers it)" : LeaseText(lease),
            Recovery = status == "verified" ? entry.Recovery.ToJsonString() : null,
        };
    }

    private static async Task<Dictionary<string, V1Lease>> LeasesAsync(IKubernetes client, string ns, List<string> remarks, CancellationToken cancellationToken)
    {
        try
        {
            var leases = await client.CoordinationV1.ListNamespacedLeaseAsync(ns, labelSelector: "app.kubernetes.io/managed-by=chaos-testing", cancellationToken: cancellationToken);
            return leases.Items.Where(l => l.Metadata.Name?.StartsWith("chaos-run-", StringComparison.Ordinal) == true)
                .GroupBy(l => l.Metadata.Name["chaos-run-".Length..], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        }
        catch (k8s.Autorest.HttpOperationException ex)
        {
            remarks.Add($"the runs' Leases in {ns} could not be listed ({(int)ex.Response.StatusCode}): 'since' and liveness are unknown");
            return new Dictionary<string, V1Lease>(StringComparer.Ordinal);
        }
    }

    private static DateTimeOffset? Since(V1Lease lease) => lease.Spec?.AcquireTime is { } acquired ? new DateTimeOffset(DateTime.SpecifyKind(acquired, DateTimeKind.Utc)) : null;

    private static string? Owner(V1Lease lease) => lease.Metadata.Annotations is { } a && a.TryGetValue(RunLease.OwnerAnnotation, out var owner) ? owner : null;

    private static string LeaseText(V1Lease lease) =>
        lease.Metadata.Annotations is { } a && a.TryGetValue(RunLease.TakenAnnotation, out var taken)
            ? $"taken by a janitor ({taken})"
            : $"renewed {(lease.Spec?.RenewTime is { } renewed ? renewed.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never")}";
}

/// <summary>The active chaos found, and remarks on what could not be read.</summary>
internal sealed record ActiveChaosView(IReadOnlyList<ActiveEntry> Entries, IReadOnlyList<string> Remarks);

/// <summary>One ledger entry on one object (or a run's Lease without an entry), as found: verified, unverified or unreadable.</summary>
internal sealed record ActiveEntry
{
    public required string Experiment { get; init; }

    public required string Fault { get; init; }

    public required string Target { get; init; }

    public required string Status { get; init; }

    public string? Problem { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Deadline { get; init; }

    public string? Owner { get; init; }

    public string? Lease { get; init; }

    public string? Recovery { get; init; }
}
