
namespace Chaos.Testing;

/// <summary>Defaults for experiments run through <see cref="IChaosEngine"/>.</summary>
public sealed class ChaosTestingOptions
{
    /// <summary>Gets or sets the kubeconfig used when no <c>IKubernetes</c> is registered.</summary>
    /// <value>The default value is <see langword="null"/>: the <c>CHAOS_KUBECONFIG</c> variable, then the client's default (KUBECONFIG, ~/.kube/config, in-cluster).</value>
    public string? KubeconfigPath { get; set; }

    /// <summary>Gets or sets the kubeconfig context.</summary>
    /// <value>The default value is <see langword="null"/>: the current context.</value>
    public string? Context { get; set; }

    /// <summary>Gets the safety guards applied to experiments that do not set their own.</summary>
    public SafetyOptions Safety { get; } = new();

    /// <summary>Gets or sets a value indicating whether Kubernetes Events are written on affected objects.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool EmitEvents { get; set; } = true;
}
