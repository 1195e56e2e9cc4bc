using YamlDotNet.RepresentationModel;

namespace Chaos.Testing;

/// <summary>
/// One experiment in the operator's format (<c>kind: ChaosExperiment</c>, <c>apiVersion: chaos.gushchin.dev/v1alpha1</c>),
/// read from YAML. Load files, directories or strings with <see cref="Load(string[])"/> or <see cref="Parse(string, string)"/>:
/// every problem of every document is reported at once, with its file, line and field. See docs/manifests.md.
/// </summary>
public sealed class ChaosManifest
{
    private readonly YamlMappingNode? _specNode;

    internal ChaosManifest(string name, string experimentNamespace, ChaosManifestSpec spec, string source, int? line, YamlMappingNode? specNode)
    {
        (Name, ExperimentNamespace, Spec, Source, Line, _specNode) = (name, experimentNamespace, spec, source, line, specNode);
    }

    /// <summary>Gets the actions of the format this engine runs (each maps to a fault of its catalog).</summary>
    public static IReadOnlyList<string> Actions => ManifestActions.Actions;

    /// <summary>Gets the experiment's name (<c>metadata.name</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the namespace of the experiment resource (<c>metadata.namespace</c>, default <c>default</c>): <c>dependsOn</c> names experiments of the same one.</summary>
    public string ExperimentNamespace { get; }

    /// <summary>Gets the spec, defaults applied.</summary>
    public ChaosManifestSpec Spec { get; }

    /// <summary>Gets where the manifest was read: the file (with <c>#n</c> for the n-th document of several) or the name given to a string.</summary>
    public string Source { get; }

    /// <summary>Gets the line of its name in the source, or null.</summary>
    public int? Line { get; }

    /// <summary>Gets <c>namespace/name</c> of the experiment resource.</summary>
    public string Key => $"{ExperimentNamespace}/{Name}";

    /// <summary>Gets the name of the engine's fault the action maps to (its page is <c>docs/faults/&lt;name&gt;.md</c>), or null for an unknown action.</summary>
    public string? FaultName => ManifestActions.FaultOf(Spec.Action)?.Name;

    /// <summary>
    /// Gets every permission a run of this manifest needs (its fault's, the ledger's when the fault leaves state, and the
    /// engine's), each with the namespace it is needed in; empty for an unknown action. Ledger permissions are given in
    /// the default ledger key's namespace, node payload pods in <c>default</c>.
    /// </summary>
    public IReadOnlyList<ManifestAccess> RequiredPermissions => ManifestAccess.Of(this);

    /// <summary>Loads every <c>ChaosExperiment</c> of the given files and directories (<c>*.yaml</c>, <c>*.yml</c>, recursively, in name order).</summary>
    /// <param name="paths">Files or directories.</param>
    /// <returns>The manifests, with every problem found; <see cref="ChaosManifestSet.IsValid"/> says whether they can run.</returns>
    public static ChaosManifestSet Load(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var sources = new List<(string Yaml, string Source)>();
        var problems = new List<ManifestProblem>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0)
                {
                    problems.Add(new(path, null, "(path)", "the directory holds no *.yaml or *.yml file."));
                }

                sources.AddRange(files.Select(f => (File.ReadAllText(f), f)));
            }
            else if (File.Exists(path))
            {
                sources.Add((File.ReadAllText(path), path));
            }
            else
            {
                problems.Add(new(path, null, "(path)", "no such file or directory."));
            }
        }

        return ChaosManifestSet.Read(sources, problems);
    }

    /// <summary>Reads every <c>ChaosExperiment</c> of a YAML string (documents separated by <c>---</c>).</summary>
    /// <param name="yaml">The YAML.</param>
    /// <param name="source">The name problems give as the source.</param>
    /// <returns>The manifests, with every problem found.</returns>
    public static ChaosManifestSet Parse(string yaml, string source = "(string)")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(source);
        return ChaosManifestSet.Read([(yaml, source)], []);
    }

    /// <summary>
    /// The experiment this manifest stands for: the action's fault on the selected pods (or the nodes hosting them), the
    /// count, the hold, and the manifest's safety fields. Add steady-state probes to it, or run it yourself.
    /// </summary>
    /// <param name="options">Run options (the default hold); null for the defaults.</param>
    /// <returns>The experiment.</returns>
    /// <exception cref="ChaosConfigurationException">The action is unknown.</exception>
    public ChaosExperiment ToExperiment(ManifestRunOptions? options = null) => ManifestActions.Build(this, (options ?? new()).DefaultHold);

    /// <summary>The next time the <c>schedule</c> fires strictly after <paramref name="after"/> (cron in UTC), for a long-running mode; null without a schedule.</summary>
    /// <param name="after">The moment to look after.</param>
    /// <returns>The next occurrence, or null.</returns>
    /// <exception cref="ChaosConfigurationException">The schedule is invalid.</exception>
    public DateTimeOffset? NextOccurrence(DateTimeOffset after)
    {
        if (Spec.Schedule is not { } schedule)
        {
            return null;
        }

        if (ManifestSchedule.Problem(schedule) is { } problem)
        {
            throw new ChaosConfigurationException([$"spec.schedule: {problem}"]);
        }

        return ManifestSchedule.Next(schedule, after);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Key} ({Spec.Action}) from {Source}";

    internal bool Has(string field) => _specNode?.Children.ContainsKey(new YamlScalarNode(field)) == true;

    internal int? LineOf(string field)
    {
        var top = field.Split('.', '[')[0];
        return _specNode is not null && _specNode.Children.FirstOrDefault(e => (e.Key as YamlScalarNode)?.Value == top) is { Key: { } key }
            ? ManifestYaml.Line(key)
            : ManifestYaml.Line(_specNode) ?? Line;
    }
}
