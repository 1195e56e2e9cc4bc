using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Chaos.Testing;

/// <summary>Reads YAML documents into manifests: structure, types and unknown fields (the rules come after, in <see cref="ManifestRules"/>).</summary>
internal static class ManifestReader
{
    public const string Group = "chaos.gushchin.dev";
    public const string ApiVersion = Group + "/v1alpha1";
    public const string Kind = "ChaosExperiment";

    private static readonly string[] TopFields = ["apiVersion", "kind", "metadata", "spec", "status"];

    private static readonly string[] MetadataFields =
    [
        "name", "namespace", "labels", "annotations", "generateName", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "finalizers", "ownerReferences", "managedFields", "selfLink",
    ];

    private static readonly string[] WindowFields = ["type", "start", "end", "timezone", "daysOfWeek"];

    /// <summary>Every manifest of <paramref name="yaml"/>; problems and notices are added to the lists.</summary>
    public static List<ChaosManifest> Read(string yaml, string source, List<ManifestProblem> problems, List<ManifestProblem> notices)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            problems.Add(new(source, ex.Start.Line > 0 ? (int)ex.Start.Line : null, "(yaml)", $"is not valid YAML: {ex.InnerException?.Message ?? ex.Message}"));
            return [];
        }

        var manifests = new List<ChaosManifest>();
        var documents = stream.Documents.Where(d => !ManifestYaml.IsNull(d.RootNode)).ToList();
        for (var i = 0; i < documents.Count; i++)
        {
            var name = documents.Count > 1 ? $"{source}#{i + 1}" : source;
            if (ReadDocument(documents[i].RootNode, new ManifestYaml(name, problems, notices)) is { } manifest)
            {
                manifests.Add(manifest);
            }
        }

        return manifests;
    }

    private static ChaosManifest? ReadDocument(YamlNode root, ManifestYaml yaml)
    {
        if (yaml.Mapping(root, "(document)") is not { } map)
        {
            return null;
        }

        var fields = map.Children.ToDictionary(e => (e.Key as YamlScalarNode)?.Value ?? string.Empty, e => e.Value, StringComparer.Ordinal);
        var apiVersion = fields.TryGetValue("apiVersion", out var a) ? yaml.String(a, "apiVersion") : null;
        var kind = fields.TryGetValue("kind", out var k) ? yaml.String(k, "kind") : null;
        var ours = apiVersion?.StartsWith(Group + "/", StringComparison.Ordinal) == true;
        if (!ours && kind != Kind)
        {
            yaml.Notice(root, "(document)", $"skipped: not a {Kind} (apiVersion \"{apiVersion}\", kind \"{kind}\").");
            return null;
        }

        if (ours && kind == "ChaosExperimentHistory")
        {
            yaml.Notice(k, "kind", "skipped: a ChaosExperimentHistory records a run; it is not an experiment to run.");
            return null;
        }

        if (apiVersion != ApiVersion)
        {
            yaml.Problem(a ?? root, "apiVersion", $"must be \"{ApiVersion}\", was \"{apiVersion}\".");
        }

        if (kind != Kind)
        {
            yaml.Problem(k ?? root, "kind", $"must be \"{Kind}\", was \"{kind}\".{DidYouMean.Hint(kind ?? string.Empty, [Kind])}");
        }

        foreach (var _ in yaml.Entries(map, string.Empty, TopFields, "a ChaosExperiment"))
        {
            // Only the check for unknown fields: the known ones are read below.
        }

        var (name, ns, nameNode) = ReadMetadata(fields.GetValueOrDefault("metadata"), root, yaml);
        ChaosManifestSpec spec = new();
        if (!fields.TryGetValue("spec", out var specNode) || yaml.Mapping(specNode, "spec") is not { } specMap)
        {
            yaml.Problem(specNode ?? root, "spec", "is required: the experiment's action, namespace and selector.");
        }
        else
        {
            spec = ReadSpec(specMap, yaml);
        }

        return new ChaosManifest(name, ns, spec, yaml.Source, ManifestYaml.Line(nameNode ?? root), specNode is YamlMappingNode m ? m : null);
    }

    private static (string Name, string Namespace, YamlNode? NameNode) ReadMetadata(YamlNode? node, YamlNode root, ManifestYaml yaml)
    {
        string? name = null;
        string? ns = null;
        YamlNode? nameNode = null;
        if (node is null || yaml.Mapping(node, "metadata") is not { } map)
        {
            yaml.Problem(node ?? root, "metadata", "is required, with the experiment's name.");
            return (string.Empty, "default", null);
        }

        foreach (var (key, value) in yaml.Entries(map, "metadata", MetadataFields, "metadata"))
        {
            switch (key)
            {
                case "name":
                    (name, nameNode) = (yaml.String(value, "metadata.name"), value);
                    break;
                case "namespace":
                    ns = yaml.String(value, "metadata.namespace");
                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            yaml.Problem(nameNode ?? node, "metadata.name", "is required: dependsOn, results and reports name the experiment by it.");
        }
        else if (KubernetesNames.CheckName(name) is { } problem)
        {
            yaml.Problem(nameNode, "metadata.name", $"\"{name}\" {problem}.");
        }

        if (ns is not null && KubernetesNames.CheckNamespace(ns) is { } nsProblem)
        {
            yaml.Problem(map, "metadata.namespace", $"\"{ns}\" {nsProblem}.");
        }

        return (name ?? string.Empty, string.IsNullOrEmpty(ns) ? "default" : ns, nameNode);
    }

    private static ChaosManifestSpec ReadSpec(YamlMappingNode map, ManifestYaml yaml)
    {
        var spec = new ChaosManifestSpec();
        foreach (var (key, value) in yaml.Entries(map, "spec", ManifestFields.Names, "spec"))
        {
            var path = "spec." + key;
            spec = key switch
            {
                "action" => spec with { Action = yaml.String(value, path) ?? string.Empty },
                "namespace" => spec with { Namespace = yaml.String(value, path) ?? string.Empty },
                "selector" => spec with { Selector = yaml.StringMap(value, path) },
                "count" => spec with { Count = yaml.Int(value, path) ?? spec.Count },
                "duration" => spec with { Duration = yaml.Duration(value, path) },
                "experimentDuration" => spec with { ExperimentDuration = yaml.Duration(value, path) },
                "maxRetries" => spec with { MaxRetries = yaml.Int(value, path) ?? spec.MaxRetries },
                "retryBackoff" => spec with { RetryBackoff = yaml.String(value, path) ?? spec.RetryBackoff },
                "retryDelay" => spec with { RetryDelay = yaml.Duration(value, path) ?? spec.RetryDelay },
                "cpuLoad" => spec with { CpuLoad = yaml.Int(value, path) },
                "cpuWorkers" => spec with { CpuWorkers = yaml.Int(value, path) ?? spec.CpuWorkers },
                "memorySize" => spec with { MemorySize = yaml.String(value, path) },
                "memoryWorkers" => spec with { MemoryWorkers = yaml.Int(value, path) ?? spec.MemoryWorkers },
                "lossPercentage" => spec with { LossPercentage = yaml.Int(value, path) ?? spec.LossPercentage },
                "lossCorrelation" => spec with { LossCorrelation = yaml.Int(value, path) ?? spec.LossCorrelation },
                "corruptionPercentage" => spec with { CorruptionPercentage = yaml.Int(value, path) ?? spec.CorruptionPercentage },
                "corruptionCorrelation" => spec with { CorruptionCorrelation = yaml.Int(value, path) ?? spec.CorruptionCorrelation },
                "fillPercentage" => spec with { FillPercentage = yaml.Int(value, path) ?? spec.FillPercentage },
                "targetPath" => spec with { TargetPath = yaml.String(value, path) },
                "volumeName" => spec with { VolumeName = yaml.String(value, path) },
                "direction" => spec with { Direction = yaml.String(value, path) ?? spec.Direction },
                "targetIPs" => spec with { TargetIPs = yaml.StringList(value, path) },
                "targetCIDRs" => spec with { TargetCIDRs = yaml.StringList(value, path) },
                "targetPorts" => spec with { TargetPorts = yaml.IntList(value, path) },
                "targetProtocols" => spec with { TargetProtocols = yaml.StringList(value, path) },
                "dryRun" => spec with { DryRun = yaml.Bool(value, path) ?? false },
                "paused" => spec with { Paused = yaml.Bool(value, path) ?? false },
                "maxPercentage" => spec with { MaxPercentage = yaml.Int(value, path) },
                "allowProduction" => spec with { AllowProduction = yaml.Bool(value, path) ?? false },
                "schedule" => spec with { Schedule = yaml.String(value, path) },
                "dependsOn" => spec with { DependsOn = yaml.StringList(value, path) },
                "timeWindows" => spec with { TimeWindows = ReadWindows(value, path, yaml) },
                "maintenanceWindows" => spec with { MaintenanceWindows = ReadWindows(value, path, yaml) },
                "restartInterval" => spec with { RestartInterval = yaml.Duration(value, path) },
                "taintKey" => spec with { TaintKey = yaml.String(value, path) },
                "taintValue" => spec with { TaintValue = yaml.String(value, path) },
                "taintEffect" => spec with { TaintEffect = yaml.String(value, path) ?? spec.TaintEffect },
                _ => spec,
            };
        }

        return spec;
    }

    private static List<ManifestTimeWindow> ReadWindows(YamlNode node, string path, ManifestYaml yaml)
    {
        var windows = new List<ManifestTimeWindow>();
        foreach (var (item, itemPath) in yaml.Sequence(node, path))
        {
            if (yaml.Mapping(item, itemPath) is not { } map)
            {
                continue;
            }

            var window = new ManifestTimeWindow();
            foreach (var (key, value) in yaml.Entries(map, itemPath, WindowFields, "a window"))
            {
                var field = $"{itemPath}.{key}";
                window = key switch
                {
                    "type" => window with { Type = yaml.String(value, field) ?? string.Empty },
                    "start" => window with { Start = yaml.String(value, field) ?? string.Empty },
                    "end" => window with { End = yaml.String(value, field) ?? string.Empty },
                    "timezone" => window with { Timezone = yaml.String(value, field) is { Length: > 0 } zone ? zone : "UTC" },
                    _ => window with { DaysOfWeek = yaml.StringList(value, field) },
                };
            }

            window.Validate(itemPath, (p, message) => yaml.Problem(map, p, message));
            windows.Add(window);
        }

        return windows;
    }
}
