using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chaos.Testing.Cli;

/// <summary>
/// Per-project defaults, read from the first <c>chaos.json</c> found in the working directory or one of its parents (or
/// the file given with <c>--config</c>). Command-line options win over it.
/// </summary>
internal sealed record CliConfig
{
    /// <summary>The file names looked for, in this order, in each directory upward.</summary>
    public static readonly string[] FileNames = ["chaos.json", ".chaos.json"];

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Gets the kubeconfig context to use.</summary>
    public string? Context { get; init; }

    /// <summary>Gets the kubeconfig file to use (relative to the config file).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Gets the default output: table or json.</summary>
    public string? Output { get; init; }

    /// <summary>Gets namespaces <c>check</c> inspects beyond those the experiments name, and that <c>list</c> is limited to.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Gets the directory <c>run</c> writes reports to when <c>--report</c> is not given (relative to the config file).</summary>
    public string? ReportDirectory { get; init; }

    /// <summary>Gets the hold of actions whose manifest gives no duration (e.g. <c>30s</c>).</summary>
    public string? DefaultHold { get; init; }

    /// <summary>Gets the steady-state probes <c>run</c> adds to every experiment when <c>--verify</c> is not given (<see cref="ProbeSpecs.Forms"/>).</summary>
    public IReadOnlyList<string> Verify { get; init; } = [];

    /// <summary>Gets the share of the hold the probes may be broken (<c>0.2</c> or <c>20%</c>); null when they are not checked during the hold.</summary>
    public string? VerifyDuring { get; init; }

    /// <summary>Gets how soon after recovery the probes must hold again (e.g. <c>2m</c>; default 60s).</summary>
    public string? RecoversWithin { get; init; }

    /// <summary>Gets the safety defaults applied to every experiment.</summary>
    public SafetyConfig Safety { get; init; } = new();

    /// <summary>Gets the file this was read from, or null for the built-in defaults.</summary>
    [JsonIgnore]
    public string? Path { get; init; }

    /// <summary>Reads <paramref name="explicitPath"/>, or the first config file found upward from <paramref name="directory"/>, or the defaults.</summary>
    /// <exception cref="InvalidDataException">The file does not parse (the message names it).</exception>
    public static CliConfig Find(string? explicitPath, string directory)
    {
        var path = explicitPath is not null ? System.IO.Path.GetFullPath(explicitPath, directory) : Upward(directory);
        if (path is null)
        {
            return new CliConfig();
        }

        try
        {
            var config = JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(path), Options) ?? new CliConfig();
            return config with { Path = path };
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"config file {path}: {ex.Message}", ex);
        }
    }

    /// <summary>A path from the config file, made absolute against the file's directory.</summary>
    public string? Resolve(string? relative) =>
        relative is null || Path is null ? relative : System.IO.Path.GetFullPath(relative, System.IO.Path.GetDirectoryName(Path)!);

    /// <summary>Applies the safety defaults to <paramref name="safety"/>.</summary>
    public void Apply(SafetyOptions safety)
    {
        if (Safety.MaxPercentage is { } max)
        {
            safety.MaxPercentage = max;
        }

        if (Safety.MinHealthyRemaining is { } min)
        {
            safety.MinHealthyRemaining = min;
        }

        if (Safety.AllowProduction is { } allow)
        {
            safety.AllowProduction = allow;
        }

        if (Safety.LedgerKeySecret is { } secret)
        {
            safety.LedgerKeySecret = secret;
        }

        foreach (var ns in Safety.ProtectedNamespaces)
        {
            safety.ProtectedNamespaces.Add(ns);
        }
    }

    private static string? Upward(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            foreach (var name in FileNames)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}

/// <summary>Safety defaults of <see cref="CliConfig"/> (unset fields keep the engine's defaults).</summary>
internal sealed record SafetyConfig
{
    /// <summary>Gets the most pods of a selection an experiment may touch, in percent.</summary>
    public int? MaxPercentage { get; init; }

    /// <summary>Gets how many healthy pods must remain.</summary>
    public int? MinHealthyRemaining { get; init; }

    /// <summary>Gets whether production-looking namespaces are allowed (a manifest's <c>allowProduction</c> still allows its own).</summary>
    public bool? AllowProduction { get; init; }

    /// <summary>Gets namespaces never touched, added to the engine's (kube-system, ...).</summary>
    public IReadOnlyList<string> ProtectedNamespaces { get; init; } = [];

    /// <summary>Gets the ledger key Secret, <c>namespace/name</c>.</summary>
    public string? LedgerKeySecret { get; init; }
}
