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
