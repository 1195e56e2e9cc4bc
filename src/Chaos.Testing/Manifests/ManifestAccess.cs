namespace Chaos.Testing;

/// <summary>One permission a manifest's run needs, and where: what a pre-flight check asks with a SelfSubjectAccessReview.</summary>
/// <param name="Verb">The verb, e.g. <c>update</c>.</param>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Resource">The resource, e.g. <c>pods</c>.</param>
/// <param name="Subresource">The subresource, e.g. <c>ephemeralcontainers</c>, or null.</param>
/// <param name="Namespace">The namespace it is needed in, or null for a cluster-scoped resource or every namespace.</param>
public sealed record ManifestAccess(string Verb, string Group, string Resource, string? Subresource, string? Namespace)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Verb} {(Group.Length == 0 ? string.Empty : Group + "/")}{Resource}{(Subresource is null ? string.Empty : "/" + Subresource)}{(Namespace is null ? string.Empty : $" in {Namespace}")}";

    /// <summary>Every permission the manifest's fault and the engine need, each with the namespace it is needed in.</summary>
    internal static IReadOnlyList<ManifestAccess> Of(ChaosManifest manifest)
    {
        if (ManifestActions.FaultOf(manifest.Spec.Action) is not { } fault)
        {
            return [];
        }

        var ledger = SafetyOptions.SplitLedgerKeySecret(new SafetyOptions().LedgerKeySecret).Namespace;
        var onNodes = ManifestActions.OnNodes(fault);
        string? Where(FaultPermission p) => p.Resource switch
        {
            "nodes" or "namespaces" => null,
            "secrets" or "leases" => ledger,
            "pods" when fault.Mechanism == FaultMechanism.NodePayload && p.Verb is "create" or "delete" => new NodeCpuStressOptions().Namespace,
            "pods" when fault.Mechanism == FaultMechanism.NodePayload && p.Subresource == "log" => new NodeCpuStressOptions().Namespace,
            _ when onNodes && p.Resource is "pods" or "events" && p.Verb is not ("get" or "list" or "watch") => null,
            _ => manifest.Spec.Namespace,
        };

        return fault.RequiredPermissions.Select(p => new ManifestAccess(p.Verb, p.Group, p.Resource, p.Subresource, Where(p))).Distinct().ToList();
    }
}
