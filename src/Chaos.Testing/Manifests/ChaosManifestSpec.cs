namespace Chaos.Testing;

/// <summary>
/// The <c>spec</c> of a <c>ChaosExperiment</c> manifest, every field of the operator's format with its default applied.
/// Durations are parsed from the operator's pattern (<c>30s</c>, <c>1h30m</c>); null means the field was not given.
/// See docs/manifests.md for what each field does here.
/// </summary>
public sealed record ChaosManifestSpec
{
    /// <summary>Gets the action, e.g. <c>pod-kill</c> (see <see cref="ChaosManifest.Actions"/>).</summary>
    public string Action { get; init; } = string.Empty;

    /// <summary>Gets the namespace of the target pods (for node actions: of the pods whose nodes are targeted).</summary>
    public string Namespace { get; init; } = string.Empty;

    /// <summary>Gets the label selector of the target pods (every entry must match).</summary>
    public IReadOnlyDictionary<string, string> Selector { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets how many targets to affect, 1–100.</summary>
    /// <value>The default value is 1.</value>
    public int Count { get; init; } = 1;

    /// <summary>Gets how long the fault holds; for <c>pod-delay</c>, the latency added (the operator's meaning).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Gets how long the whole experiment runs before it is stopped and recovered; null for no limit.</summary>
    public TimeSpan? ExperimentDuration { get; init; }

    /// <summary>Gets how many times a failed injection is retried, 0–10.</summary>
    /// <value>The default value is 3.</value>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Gets the retry backoff: <c>exponential</c> (the delay doubles each retry, at most 10 minutes) or <c>fixed</c>.</summary>
    /// <value>The default value is <c>exponential</c>.</value>
    public string RetryBackoff { get; init; } = "exponential";

    /// <summary>Gets the delay before the first retry.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the CPU load per worker in percent (CPU stress actions), or null.</summary>
    public int? CpuLoad { get; init; }

    /// <summary>Gets the CPU stress workers, 1–32.</summary>
    /// <value>The default value is 1.</value>
    public int CpuWorkers { get; init; } = 1;

    /// <summary>Gets the memory each worker holds, e.g. <c>256M</c> or <c>1G</c> (pod-memory-stress), or null.</summary>
    public string? MemorySize { get; init; }

    /// <summary>Gets the memory stress workers, 1–8.</summary>
    /// <value>The default value is 1.</value>
    public int MemoryWorkers { get; init; } = 1;

    /// <summary>Gets the share of packets dropped, 1–40 percent (pod-network-loss).</summary>
    /// <value>The default value is 5.</value>
    public int LossPercentage { get; init; } = 5;

    /// <summary>Gets the loss correlation, 0–100 percent.</summary>
    /// <value>The default value is 0.</value>
    public int LossCorrelation { get; init; }

    /// <summary>Gets the share of packets corrupted, 1–100 percent (pod-network-corruption).</summary>
    /// <value>The default value is 5.</value>
    public int CorruptionPercentage { get; init; } = 5;

    /// <summary>Gets the corruption correlation, 0–100 percent.</summary>
    /// <value>The default value is 0.</value>
    public int CorruptionCorrelation { get; init; }

    /// <summary>Gets how full the filesystem becomes, 50–95 percent (disk fills).</summary>
    /// <value>The default value is 80.</value>
    public int FillPercentage { get; init; } = 80;

    /// <summary>Gets the directory whose filesystem is filled, or null when the manifest does not give it.</summary>
    public string? TargetPath { get; init; }

    /// <summary>Gets the pod volume to fill instead of <see cref="TargetPath"/> (pod-disk-fill), or null.</summary>
    public string? VolumeName { get; init; }

    /// <summary>Gets the partition direction: <c>both</c>, <c>ingress</c> or <c>egress</c>.</summary>
    /// <value>The default value is <c>both</c>.</value>
    public string Direction { get; init; } = "both";

    /// <summary>Gets the IPv4 addresses a partition cuts (with <see cref="TargetCIDRs"/>; both empty: all traffic).</summary>
    public IReadOnlyList<string> TargetIPs { get; init; } = [];

    /// <summary>Gets the CIDRs a partition cuts.</summary>
    public IReadOnlyList<string> TargetCIDRs { get; init; } = [];

    /// <summary>Gets the ports of the operator's port-scoped partition (not supported here: a manifest giving them is invalid).</summary>
    public IReadOnlyList<int> TargetPorts { get; init; } = [];

    /// <summary>Gets the protocols of the operator's protocol-scoped partition (not supported here: a manifest giving them is invalid).</summary>
    public IReadOnlyList<string> TargetProtocols { get; init; } = [];

    /// <summary>Gets a value indicating whether the experiment only plans and guards, writing nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets a value indicating whether the experiment is paused (a run skips it and says so).</summary>
    public bool Paused { get; init; }

    /// <summary>Gets the largest share of the eligible targets the experiment may affect, 1–100, or null for this engine's default (50).</summary>
    public int? MaxPercentage { get; init; }

    /// <summary>Gets a value indicating whether production namespaces may be targeted.</summary>
    public bool AllowProduction { get; init; }

    /// <summary>Gets the cron schedule (5 fields, or <c>@hourly</c>, <c>@daily</c>, <c>@weekly</c>, <c>@monthly</c>, <c>@yearly</c>), or null to run once.</summary>
    public string? Schedule { get; init; }

    /// <summary>Gets the names of experiments in the same namespace that must complete first.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Gets the windows in which the experiment may run (empty: any time).</summary>
    public IReadOnlyList<ManifestTimeWindow> TimeWindows { get; init; } = [];

    /// <summary>Gets the windows in which the experiment must not run.</summary>
    public IReadOnlyList<ManifestTimeWindow> MaintenanceWindows { get; init; } = [];

    /// <summary>Gets the delay between pods of pod-restart, or null to restart them all at once.</summary>
    public TimeSpan? RestartInterval { get; init; }

    /// <summary>Gets the taint key (node-taint), or null.</summary>
    public string? TaintKey { get; init; }

    /// <summary>Gets the taint value (node-taint), or null.</summary>
    public string? TaintValue { get; init; }

    /// <summary>Gets the taint effect: <c>NoSchedule</c>, <c>PreferNoSchedule</c> or <c>NoExecute</c>.</summary>
    /// <value>The default value is <c>NoSchedule</c>.</value>
    public string TaintEffect { get; init; } = "NoSchedule";
}
