namespace Chaos.Testing;

/// <summary>The fields of the operator's <c>spec</c>, and which actions use the action-specific ones.</summary>
internal static class ManifestFields
{
    /// <summary>Gets every field of <c>spec</c>, in the order of the format.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "action", "namespace", "selector", "count", "duration", "experimentDuration", "maxRetries", "retryBackoff", "retryDelay",
        "cpuLoad", "cpuWorkers", "memorySize", "memoryWorkers", "lossPercentage", "lossCorrelation", "corruptionPercentage",
        "corruptionCorrelation", "fillPercentage", "targetPath", "volumeName", "direction", "targetIPs", "targetCIDRs", "targetPorts",
        "targetProtocols", "dryRun", "paused", "maxPercentage", "allowProduction", "schedule", "dependsOn", "timeWindows",
        "maintenanceWindows", "restartInterval", "taintKey", "taintValue", "taintEffect",
    ];

    /// <summary>Gets the actions that need <c>duration</c> (the operator's webhook and controller refuse them without it).</summary>
    public static IReadOnlySet<string> NeedDuration { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "pod-delay", "pod-cpu-stress", "node-cpu-stress", "pod-memory-stress", "pod-network-loss", "pod-network-corruption",
        "pod-disk-fill", "node-disk-fill", "node-taint", "network-partition",
    };

    /// <summary>Gets the fields only some actions use, with those actions.</summary>
    public static IReadOnlyDictionary<string, string[]> UsedBy { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["cpuLoad"] = ["pod-cpu-stress", "node-cpu-stress"],
        ["cpuWorkers"] = ["pod-cpu-stress", "node-cpu-stress"],
        ["memorySize"] = ["pod-memory-stress"],
        ["memoryWorkers"] = ["pod-memory-stress"],
        ["lossPercentage"] = ["pod-network-loss"],
        ["lossCorrelation"] = ["pod-network-loss"],
        ["corruptionPercentage"] = ["pod-network-corruption"],
        ["corruptionCorrelation"] = ["pod-network-corruption"],
        ["fillPercentage"] = ["pod-disk-fill", "node-disk-fill"],
        ["targetPath"] = ["pod-disk-fill", "node-disk-fill"],
        ["volumeName"] = ["pod-disk-fill"],
        ["direction"] = ["network-partition"],
        ["targetIPs"] = ["network-partition"],
        ["targetCIDRs"] = ["network-partition"],
        ["targetPorts"] = ["network-partition"],
        ["targetProtocols"] = ["network-partition"],
        ["restartInterval"] = ["pod-restart"],
        ["taintKey"] = ["node-taint"],
        ["taintValue"] = ["node-taint"],
        ["taintEffect"] = ["node-taint"],
    };
}
