namespace Chaos.Testing;

/// <summary>Which cluster a test run uses. Every option can also come from an environment variable, so CI can switch without code changes.</summary>
public sealed class ChaosClusterOptions
{
    /// <summary>The environment variable naming the kind: <c>emulator</c>, <c>kubeconfig</c> or <c>k3s</c>.</summary>
    public const string KindVariable = "CHAOS_CLUSTER";

    /// <summary>The environment variable with a kubeconfig path; setting it alone selects the <c>kubeconfig</c> kind.</summary>
    public const string KubeconfigVariable = "CHAOS_KUBECONFIG";

    /// <summary>The environment variable with the kubeconfig context.</summary>
    public const string ContextVariable = "CHAOS_KUBECONTEXT";

    /// <summary>
    /// The environment variable that turns on strict mode: any value but empty, <c>0</c> or <c>false</c>
    /// (<c>CHAOS_STRICT=1</c>). See <see cref="Strict"/>; recommended for CI.
    /// </summary>
    public const string StrictVariable = "CHAOS_STRICT";

    /// <summary>Gets or sets the kind of cluster.</summary>
    /// <value>The default value is <see langword="null"/>: <c>CHAOS_CLUSTER</c>, else <c>kubeconfig</c> when a kubeconfig is given, else <c>emulator</c>.</value>
    public string? Kind { get; set; }

    /// <summary>Gets or sets the kubeconfig path for the <c>kubeconfig</c> kind.</summary>
    /// <value>The default value is <see langword="null"/>: <c>CHAOS_KUBECONFIG</c>.</value>
    public string? KubeconfigPath { get; set; }

    /// <summary>Gets or sets the kubeconfig context.</summary>
    /// <value>The default value is <see langword="null"/>: <c>CHAOS_KUBECONTEXT</c>, else the current context.</value>
    public string? Context { get; set; }

    /// <summary>Gets or sets how long acquiring the cluster may take.</summary>
    /// <value>The default value is 5 minutes (a K3s container can take a while).</value>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets a value indicating whether an unavailable cluster fails the chaos tests with the reason instead of
    /// skipping them, so a misconfigured CI run (a wrong kind or kubeconfig) cannot stay green. Recommended for CI.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <c>CHAOS_STRICT</c>, else off.</value>
    public bool? Strict { get; set; }

    /// <summary>Whether strict mode is on after defaults and environment variables are applied.</summary>
    /// <returns><see langword="true"/> when an unavailable cluster must fail the tests instead of skipping them.</returns>
    public bool ResolveStrict() => Strict ?? ParseStrict(Environment.GetEnvironmentVariable(StrictVariable));

    /// <summary>
    /// Reads <c>CHAOS_STRICT</c>: off when unset, empty, <c>0</c> or <c>false</c>, on for anything else, so a typo
    /// such as <c>ture</c> errs towards failing the run rather than skipping it.
    /// </summary>
    internal static bool ParseStrict(string? value) =>
        value?.Trim() is { Length: > 0 } v && v != "0" && !v.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>The kind after defaults and environment variables are applied.</summary>
    /// <returns>The kind, lower case.</returns>
    public string ResolveKind()
    {
        var kind = Kind ?? Environment.GetEnvironmentVariable(KindVariable);
        if (!string.IsNullOrWhiteSpace(kind))
        {
            return kind.Trim().ToLowerInvariant();
        }

        return ResolveKubeconfigPath() is null ? ChaosClusters.Emulator : ChaosClusters.Kubeconfig;
    }

    internal string? ResolveKubeconfigPath() => KubeconfigPath ?? Environment.GetEnvironmentVariable(KubeconfigVariable);

    internal string? ResolveContext() => Context ?? Environment.GetEnvironmentVariable(ContextVariable);
}
