namespace Chaos.Testing.Emulator.Patching;

/// <summary>
/// The patch strategy of list fields for the core and apps Kubernetes kinds, keyed by field name (and, for
/// <c>ports</c> and <c>finalizers</c>, by where the field sits). Lists not listed here are replaced wholesale.
/// </summary>
internal static class StrategicMergeKeys
{
    /// <summary>
    /// Returns the merge key of the list field <paramref name="field"/> inside the map at
    /// <paramref name="parentPath"/>, or null when the list is not merged by key.
    /// </summary>
    /// <param name="field">The list field name, e.g. <c>containers</c>.</param>
    /// <param name="parentPath">
    /// The path of the map holding the field, with field names separated by <c>/</c> and list elements
    /// written as <c>field[]</c>, e.g. <c>/spec/containers[]</c>; the empty string is the root object.
    /// </param>
    /// <param name="kind">The Kubernetes kind of the patched object.</param>
    /// <returns>The merge key, or null.</returns>
    public static string? Resolve(string field, string parentPath, string kind) => field switch
    {
        "containers" or "initContainers" or "ephemeralContainers" => "name",
        "volumes" or "env" or "imagePullSecrets" => "name",
        "volumeMounts" => "mountPath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "ports" when IsContainer(parentPath) => "containerPort",
        "ports" when parentPath == "/spec" && IsServiceOrUnknown(kind) => "port",
        _ => null,
    };

    /// <summary>
    /// Returns whether the list field is a merged list of primitive values (a set union that keeps order),
    /// which in these kinds is only <c>metadata.finalizers</c>.
    /// </summary>
    /// <param name="field">The list field name.</param>
    /// <param name="parentPath">The path of the map holding the field (see <see cref="Resolve"/>).</param>
    /// <returns>True for merged primitive lists.</returns>
    public static bool IsMergedPrimitiveList(string field, string parentPath) =>
        field == "finalizers" && parentPath.EndsWith("/metadata", StringComparison.Ordinal);

    private static bool IsContainer(string parentPath) =>
        parentPath.EndsWith("/containers[]", StringComparison.Ordinal)
        || parentPath.EndsWith("/initContainers[]", StringComparison.Ordinal)
        || parentPath.EndsWith("/ephemeralContainers[]", StringComparison.Ordinal);

    private static bool IsServiceOrUnknown(string kind) =>
        kind.Length == 0
        || string.Equals(kind, "Service", StringComparison.OrdinalIgnoreCase)
        || string.Equals(kind, "services", StringComparison.OrdinalIgnoreCase);
}
