namespace Chaos.Testing;

/// <summary>One Kubernetes permission a fault needs, as an RBAC rule states it.</summary>
/// <param name="Verb">The verb, e.g. <c>patch</c>.</param>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Resource">The resource, e.g. <c>pods</c>.</param>
/// <param name="Subresource">The subresource, e.g. <c>ephemeralcontainers</c>; null for the resource itself.</param>
internal sealed record FaultPermission(string Verb, string Group, string Resource, string? Subresource = null)
{
    /// <summary>Gets the resource as RBAC names it: <c>pods/ephemeralcontainers</c>.</summary>
    public string RbacResource => Subresource is null ? Resource : $"{Resource}/{Subresource}";

    /// <summary>Core-group permissions for one resource (or <c>resource/subresource</c>) and several verbs.</summary>
    public static IEnumerable<FaultPermission> Core(string resource, params string[] verbs) => Of(string.Empty, resource, verbs);

    /// <summary>Permissions in <paramref name="group"/> for one resource (or <c>resource/subresource</c>) and several verbs.</summary>
    public static IEnumerable<FaultPermission> Of(string group, string resource, params string[] verbs)
    {
        var parts = resource.Split('/', 2);
        return verbs.Select(v => new FaultPermission(v, group, parts[0], parts.Length == 2 ? parts[1] : null));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Verb} {(Group.Length == 0 ? string.Empty : Group + "/")}{RbacResource}";
}
