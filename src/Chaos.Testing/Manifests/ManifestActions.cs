using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// Each operator action mapped to its fault of the catalog (<see cref="FaultDescriptor.OperatorAction"/>) and built as an
/// experiment from the manifest's fields; the hold each action gets from <c>duration</c> and <c>experimentDuration</c>.
/// </summary>
internal static class ManifestActions
{
    /// <summary>The operator's exclusion label: pods and namespaces carrying it (value <c>true</c>) are never touched.</summary>
    public const string OperatorExclusionLabel = "chaos.gushchin.dev/exclude";

    /// <summary>The operator's production annotation on namespaces (value <c>true</c>).</summary>
    public const string OperatorProductionAnnotation = "chaos.gushchin.dev/production";

    private static readonly Dictionary<string, Func<ChaosManifestSpec, PodChaos, NodeChaos, ChaosExperiment>> Builders = new(StringComparer.Ordinal)
    {
        ["pod-kill"] = (_, pods, _) => pods.Kill(),
        ["network-delay"] = (s, pods, _) => pods.DelayNetwork(s.Duration ?? TimeSpan.Zero),
        ["node-drain"] = (_, _, nodes) => nodes.Drain(),
        ["node-taint"] = (s, _, nodes) => nodes.Taint(o =>
        {
            o.Key = s.TaintKey ?? string.Empty;
            o.Value = s.TaintValue ?? string.Empty;
            o.Effect = Enum.TryParse<TaintEffect>(s.TaintEffect, ignoreCase: false, out var effect) ? effect : (TaintEffect)(-1);
        }),
        ["node-cpu-stress"] = (s, _, nodes) => nodes.StressCpu(o => (o.Load, o.Workers) = (s.CpuLoad ?? 0, s.CpuWorkers)),
        ["node-disk-fill"] = (s, _, nodes) => nodes.FillDisk(o =>
        {
            o.Percent = s.FillPercentage;
            o.Path = s.TargetPath ?? o.Path;
        }),
        ["cpu-stress"] = (s, pods, _) => pods.StressCpu(o => (o.Load, o.Workers) = (s.CpuLoad ?? 0, s.CpuWorkers)),
        ["memory-stress"] = (s, pods, _) => pods.StressMemory(o =>
        {
            o.Workers = s.MemoryWorkers;
            o.Bytes = (ManifestDurations.ParseMemory(s.MemorySize ?? string.Empty) ?? 0) * s.MemoryWorkers;
        }),
        ["pod-failure"] = (_, pods, _) => pods.Fail(),
        ["packet-loss"] = (s, pods, _) => pods.LosePackets(s.LossPercentage, o => o.Correlation = s.LossCorrelation),
        ["packet-corruption"] = (s, pods, _) => pods.CorruptPackets(s.CorruptionPercentage),
        ["disk-fill"] = (s, pods, _) => pods.FillDisk(o =>
        {
            o.Percent = s.FillPercentage;
            o.Volume = string.IsNullOrEmpty(s.VolumeName) ? null : s.VolumeName;
            o.Path = s.TargetPath ?? "/tmp";
        }),
        ["pod-restart"] = (s, pods, _) => pods.Restart(o => o.MaxParallelism = s.RestartInterval is null ? o.MaxParallelism : 1),
        ["network-partition"] = (s, pods, _) => pods.Partition(o =>
        {
            foreach (var cidr in s.TargetIPs.Concat(s.TargetCIDRs).DefaultIfEmpty("0.0.0.0/0"))
            {
                o.Cidrs.Add(cidr);
            }

            o.Direction = s.Direction switch { "ingress" => PartitionDirection.From, "egress" => PartitionDirection.To, _ => PartitionDirection.Both };
        }),
    };

    /// <summary>Gets the operator's actions, as the catalog states them.</summary>
    public static IReadOnlyList<string> Actions { get; } =
        FaultCatalog.All.Select(f => f.OperatorAction).OfType<string>().Order(StringComparer.Ordinal).ToList();

    /// <summary>The catalog's fault for <paramref name="action"/>, with a builder, or null.</summary>
    public static FaultDescriptor? FaultOf(string action) =>
        FaultCatalog.FindByOperatorAction(action) is { } fault && Builders.ContainsKey(fault.Name) ? fault : null;

    /// <summary>Whether the action's fault acts on nodes (picked as the nodes hosting the selected pods).</summary>
    public static bool OnNodes(FaultDescriptor fault) => fault.Target == FaultTargetKind.Node;

    /// <summary>The experiment a manifest stands for: its fault, targets, count, hold and safety (the manifest need not be valid).</summary>
    public static ChaosExperiment Build(ChaosManifest manifest, TimeSpan defaultHold)
    {
        var spec = manifest.Spec;
        var fault = FaultOf(spec.Action) ?? throw new ChaosConfigurationException([$"spec.action: \"{spec.Action}\" is not an action; use one of {string.Join(", ", Actions)}."]);
        var pods = Pods.In(spec.Namespace);
        foreach (var (key, value) in spec.Selector.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            pods = pods.WithLabel(key, value);
        }

        pods = pods.Excluding(OperatorExclusionLabel, "true");
        var count = Math.Max(1, spec.Count);
        var experiment = Builders[fault.Name](spec, Experiment.On(pods).Count(count), Experiment.On(Nodes.Hosting(pods)).Count(count));
        if (HoldOf(spec, defaultHold).Hold is { } hold)
        {
            experiment = experiment.For(hold);
        }

        if (spec.MaxPercentage is { } max)
        {
            experiment = experiment.WithSafety(s => s.MaxPercentage = max);
        }

        if (spec.AllowProduction)
        {
            experiment = experiment.AllowProduction();
        }

        return spec.DryRun ? experiment.DryRun() : experiment;
    }

    /// <summary>
    /// How long the fault holds: <c>duration</c> (not for pod-delay, where it is the latency), cut short by
    /// <c>experimentDuration</c>; without <c>duration</c>, <c>experimentDuration</c>; kill and restart need no hold; any
    /// other action without either holds <paramref name="defaultHold"/>. The note says what differs from the operator.
    /// </summary>
    public static (TimeSpan? Hold, string? Note) HoldOf(ChaosManifestSpec spec, TimeSpan defaultHold)
    {
        var instant = spec.Action is "pod-kill" or "pod-restart";
        var total = spec.ExperimentDuration;
        var duration = spec.Action == "pod-delay" ? null : spec.Duration;
        if (duration is { } d)
        {
            return total is { } t && t < d
                ? (t, $"held {Text(t)} (experimentDuration) rather than its duration {Text(d)}: the experiment stops when experimentDuration has passed.")
                : (d, total is { } longer && longer > d
                    ? $"held once for its duration {Text(d)}; the operator re-applies it every minute until experimentDuration {Text(longer)} has passed."
                    : null);
        }

        if (total is { } whole)
        {
            return (whole, instant ? $"{spec.Action} applied once and watched for experimentDuration {Text(whole)}; the operator repeats it every minute during it." : null);
        }

        return instant
            ? (null, null)
            : (defaultHold, $"held {Text(defaultHold)} (the run's default hold): the manifest gives no {(spec.Action == "pod-delay" ? "experimentDuration (its duration is the latency)" : "duration or experimentDuration")}, and the operator would hold it until the experiment is deleted.");
    }

    private static string Text(TimeSpan value) => value.Ticks % TimeSpan.TicksPerSecond == 0
        ? ManifestDurations.Format(value)
        : value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
