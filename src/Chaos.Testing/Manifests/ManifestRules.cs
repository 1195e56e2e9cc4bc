using System.Net;

namespace Chaos.Testing;

/// <summary>The format's rules over a read manifest: ranges, enums, patterns, required fields per action, cross-field rules.</summary>
internal static class ManifestRules
{
    public static void Check(ChaosManifest manifest, TimeSpan defaultHold, List<ManifestProblem> problems, List<ManifestProblem> notices)
    {
        var s = manifest.Spec;
        var before = problems.Count;
        void Problem(string field, string message) => problems.Add(new(manifest.Source, manifest.LineOf(field), "spec." + field, message));
        void Range(string field, int? value, int min, int max)
        {
            if (value is { } v && (v < min || v > max))
            {
                Problem(field, $"must be between {min} and {max}, was {v}.");
            }
        }

        void OneOf(string field, string value, params string[] allowed)
        {
            if (!allowed.Contains(value, StringComparer.Ordinal))
            {
                Problem(field, $"must be one of {string.Join(", ", allowed)}, was \"{value}\".{DidYouMean.Hint(value, allowed)}");
            }
        }

        var fault = ManifestActions.FaultOf(s.Action);
        if (s.Action.Length == 0)
        {
            Problem("action", $"is required; one of {string.Join(", ", ManifestActions.Actions)}.");
        }
        else if (fault is null)
        {
            Problem("action", $"unknown action \"{s.Action}\".{DidYouMean.Hint(s.Action, ManifestActions.Actions)} Known actions: {string.Join(", ", ManifestActions.Actions)}.");
        }

        if (s.Namespace.Length == 0)
        {
            Problem("namespace", "is required (min length 1): the namespace of the target pods.");
        }
        else if (KubernetesNames.CheckNamespace(s.Namespace) is { } nsProblem)
        {
            Problem("namespace", $"\"{s.Namespace}\" {nsProblem}.");
        }

        if (s.Selector.Count == 0)
        {
            Problem("selector", "is required with at least one label, e.g. selector: { app: cart }.");
        }

        foreach (var (key, value) in s.Selector)
        {
            if ((KubernetesNames.CheckLabelKey(key) ?? KubernetesNames.CheckLabelValue(value)) is { } labelProblem)
            {
                Problem($"selector.{key}", $"\"{key}: {value}\": {labelProblem}.");
            }
        }

        Range("count", s.Count, 1, 100);
        Range("maxRetries", s.MaxRetries, 0, 10);
        OneOf("retryBackoff", s.RetryBackoff, "exponential", "fixed");
        Range("cpuLoad", s.CpuLoad, 1, 100);
        Range("cpuWorkers", s.CpuWorkers, 1, 32);
        Range("memoryWorkers", s.MemoryWorkers, 1, 8);
        Range("lossPercentage", s.LossPercentage, 1, 40);
        Range("lossCorrelation", s.LossCorrelation, 0, 100);
        Range("corruptionPercentage", s.CorruptionPercentage, 1, 100);
        Range("corruptionCorrelation", s.CorruptionCorrelation, 0, 100);
        Range("fillPercentage", s.FillPercentage, 50, 95);
        Range("maxPercentage", s.MaxPercentage, 1, 100);
        OneOf("direction", s.Direction, "both", "ingress", "egress");
        OneOf("taintEffect", s.TaintEffect, "NoSchedule", "PreferNoSchedule", "NoExecute");
        if (s.MemorySize is { } size && ManifestDurations.ParseMemory(size) is null)
        {
            Problem("memorySize", $"must match ^[0-9]+[MG]$ (per worker, e.g. \"256M\" or \"1G\"), was \"{size}\".");
        }

        CheckPartition(s, Problem);
        CheckActionNeeds(s, Problem);
        if (ManifestSchedule.Problem(s.Schedule) is { } cron)
        {
            Problem("schedule", cron);
        }

        for (var i = 0; i < s.DependsOn.Count; i++)
        {
            if (s.DependsOn[i] == manifest.Name)
            {
                Problem($"dependsOn[{i}]", $"an experiment cannot depend on itself (\"{manifest.Name}\").");
            }
        }

        foreach (var (field, actions) in ManifestFields.UsedBy)
        {
            if (fault is not null && manifest.Has(field) && !actions.Contains(s.Action, StringComparer.Ordinal))
            {
                notices.Add(new(manifest.Source, manifest.LineOf(field), "spec." + field, $"is not used by {s.Action} (only by {string.Join(", ", actions)})."));
            }
        }

        if (s.Action == "pod-network-corruption" && s.CorruptionCorrelation > 0)
        {
            notices.Add(new(manifest.Source, manifest.LineOf("corruptionCorrelation"), "spec.corruptionCorrelation", "is ignored: this engine's packet corruption has no correlation."));
        }

        // The engine's own limits, once the format's rules hold (its messages name its options; the field is in the text).
        if (problems.Count == before && fault is not null)
        {
            foreach (var error in ManifestActions.Build(manifest, defaultHold).Validate())
            {
                Problem(EngineField(s.Action, error), $"this engine cannot run it: {error}");
            }
        }
    }

    private static void CheckActionNeeds(ChaosManifestSpec s, Action<string, string> problem)
    {
        if (ManifestFields.NeedDuration.Contains(s.Action) && s.Duration is null)
        {
            problem("duration", $"is required for {s.Action}{(s.Action == "pod-delay" ? " (it is the latency added, e.g. \"1s\")" : " (how long the fault holds)")}.");
        }

        if (s.Action == "pod-delay" && s.Duration is { } latency && latency > TimeSpan.FromMinutes(1))
        {
            problem("duration", $"pod-delay adds its duration as latency; this engine allows at most 1m, was {ManifestDurations.Format(latency)}.");
        }

        if (s.Action is "pod-cpu-stress" or "node-cpu-stress" && s.CpuLoad is null or 0)
        {
            problem("cpuLoad", $"is required (1–100 percent) for {s.Action}.");
        }

        if (s.Action == "pod-memory-stress" && string.IsNullOrEmpty(s.MemorySize))
        {
            problem("memorySize", "is required for pod-memory-stress, per worker, e.g. \"256M\".");
        }

        if (s.Action == "node-taint" && string.IsNullOrEmpty(s.TaintKey))
        {
            problem("taintKey", "is required for node-taint.");
        }

        if (s.Action == "pod-disk-fill" && string.IsNullOrEmpty(s.VolumeName) && s.TargetPath is { Length: 0 })
        {
            problem("targetPath", "must be given when volumeName is not set, for pod-disk-fill.");
        }

        if (s.TargetPath is { Length: > 0 } path && !path.StartsWith('/'))
        {
            problem("targetPath", $"must be an absolute path, e.g. \"/tmp\", was \"{path}\".");
        }
    }

    private static void CheckPartition(ChaosManifestSpec s, Action<string, string> problem)
    {
        for (var i = 0; i < s.TargetIPs.Count; i++)
        {
            if (!IPAddress.TryParse(s.TargetIPs[i], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || s.TargetIPs[i].Count(c => c == '.') != 3)
            {
                problem($"targetIPs[{i}]", $"must be an IPv4 address, e.g. \"10.96.0.50\", was \"{s.TargetIPs[i]}\".");
            }
        }

        for (var i = 0; i < s.TargetCIDRs.Count; i++)
        {
            if (!s.TargetCIDRs[i].Contains('/', StringComparison.Ordinal) || !NetworkFaultOptions.IsCidr(s.TargetCIDRs[i]))
            {
                problem($"targetCIDRs[{i}]", $"must be x.x.x.x/y (y 0–32), e.g. \"10.96.0.0/12\", was \"{s.TargetCIDRs[i]}\".");
            }
        }

        for (var i = 0; i < s.TargetPorts.Count; i++)
        {
            if (s.TargetPorts[i] is < 1 or > 65535)
            {
                problem($"targetPorts[{i}]", $"must be between 1 and 65535, was {s.TargetPorts[i]}.");
            }
        }

        for (var i = 0; i < s.TargetProtocols.Count; i++)
        {
            if (s.TargetProtocols[i] is not ("tcp" or "udp" or "icmp"))
            {
                problem($"targetProtocols[{i}]", $"must be one of tcp, udp, icmp, was \"{s.TargetProtocols[i]}\".{DidYouMean.Hint(s.TargetProtocols[i], ["tcp", "udp", "icmp"])}");
            }
        }

        // Never widened silently: a partition of some ports would here cut every port.
        if (s.Action == "network-partition" && (s.TargetPorts.Count > 0 || s.TargetProtocols.Count > 0))
        {
            problem(s.TargetPorts.Count > 0 ? "targetPorts" : "targetProtocols",
                "this engine partitions by address only (targetIPs, targetCIDRs); a partition limited to ports or protocols is not supported. Remove targetPorts and targetProtocols to cut all traffic to those addresses.");
        }
    }

    private static string EngineField(string action, string error) => error.Split(':')[0] switch
    {
        "DelayNetwork.Latency" => "duration",
        "Duration" => action == "pod-delay" ? "experimentDuration" : "duration",
        "StressMemory.Bytes" => "memorySize",
        "Taint.Key" => "taintKey",
        "Taint.Value" => "taintValue",
        "FillDisk.Volume" => "volumeName",
        "FillDisk.Path" => "targetPath",
        "Safety.MaxPercentage" => "maxPercentage",
        var other when other.StartsWith("Target.", StringComparison.Ordinal) => "selector",
        _ => "action",
    };
}
