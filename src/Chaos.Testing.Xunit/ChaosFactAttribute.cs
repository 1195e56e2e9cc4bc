using Xunit;
using Xunit.Sdk;

namespace Chaos.Testing.Xunit;

/// <summary>
/// A <see cref="FactAttribute"/> for chaos tests: when the cluster kind it needs cannot be used here (for example
/// <c>CHAOS_CLUSTER=k3s</c> without the Chaos.Testing.K3s package), the test is reported as skipped with
/// <c>Chaos cluster unavailable: </c> and the reason of <see cref="ChaosClusters.WhyUnavailable(ChaosClusterOptions?)"/>.
/// </summary>
/// <remarks>The check is cheap (it starts nothing) and runs when xUnit reads <see cref="Skip"/>, at discovery.</remarks>
[XunitTestCaseDiscoverer("Chaos.Testing.Xunit.ChaosFactDiscoverer", "Chaos.Testing.Xunit")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public class ChaosFactAttribute : FactAttribute
{
    /// <summary>Gets or sets the cluster kind the test needs: <c>emulator</c>, <c>kubeconfig</c> or <c>k3s</c>.</summary>
    /// <value>The default value is <see langword="null"/>: <c>CHAOS_CLUSTER</c>, else <c>kubeconfig</c> when <c>CHAOS_KUBECONFIG</c> is set, else <c>emulator</c>.</value>
    public string? Kind { get; set; }

    /// <summary>
    /// Gets or sets the skip reason: the one set explicitly, else why the cluster of <see cref="Kind"/> is unavailable,
    /// else null. Under strict mode (<c>CHAOS_STRICT=1</c>) an unavailable cluster does not skip: the test fails with the reason, in a chaos collection or not.
    /// </summary>
    public override string? Skip
    {
        get => base.Skip ?? ChaosSkip.Reason(Kind);
        set => base.Skip = value;
    }
}
