using System.Reflection;

namespace Chaos.Testing;

/// <summary>
/// Every fault, found once from the classes that state their <see cref="ICatalogFault.Descriptor"/>: the janitor
/// dispatches crash restores through it, the conformance suite and the docs check iterate it.
/// </summary>
internal static class FaultCatalog
{
    private static readonly Lazy<IReadOnlyList<FaultDescriptor>> Faults = new(Discover);

    /// <summary>Gets every fault, ordered by name.</summary>
    public static IReadOnlyList<FaultDescriptor> All => Faults.Value;

    /// <summary>Gets the permissions every experiment needs whatever its fault: plan, guard, probe, events.</summary>
    public static IReadOnlyList<FaultPermission> EnginePermissions { get; } =
    [
        .. FaultPermission.Core("pods", "get", "list", "watch"),
        .. FaultPermission.Core("nodes", "get", "list"),
        .. FaultPermission.Core("namespaces", "get"),
        .. FaultPermission.Core("events", "create"),
        .. FaultPermission.Of("apps", "deployments", "get", "list", "watch"),
        .. FaultPermission.Of("apps", "statefulsets", "get", "list", "watch"),
    ];

    /// <summary>
    /// Gets the permissions of the ledger (read the key, make it and its namespace at the first run; the run's Lease) in the
    /// key's namespace: every fault that leaves state needs them.
    /// </summary>
    public static IReadOnlyList<FaultPermission> LedgerPermissions { get; } =
    [
        .. FaultPermission.Core("secrets", "get", "create"),
        .. FaultPermission.Core("namespaces", "create"),
        .. FaultPermission.Of("coordination.k8s.io", "leases", "get", "create", "update", "delete"),
    ];

    /// <summary>The descriptor of the fault class <paramref name="faultType"/>, or null when it is not in the catalog.</summary>
    public static FaultDescriptor? OfType(Type faultType) =>
        typeof(ICatalogFault).IsAssignableFrom(faultType) && faultType.GetProperty(nameof(ICatalogFault.Descriptor), BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is FaultDescriptor d
            ? d
            : null;

    /// <summary>The fault named <paramref name="name"/> (its ledger name), or null.</summary>
    public static FaultDescriptor? Find(string name) => All.FirstOrDefault(f => f.Name == name);

    /// <summary>The fault the operator calls <paramref name="action"/>, or null.</summary>
    public static FaultDescriptor? FindByOperatorAction(string action) => All.FirstOrDefault(f => f.OperatorAction == action);

    private static List<FaultDescriptor> Discover()
    {
        var found = typeof(FaultCatalog).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICatalogFault).IsAssignableFrom(t))
            .Select(t => (FaultDescriptor)t.GetProperty(nameof(ICatalogFault.Descriptor), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var twice = found.GroupBy(f => f.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        return twice.Count == 0 ? found : throw new InvalidOperationException($"Two faults share the name {string.Join(", ", twice)}.");
    }
}
