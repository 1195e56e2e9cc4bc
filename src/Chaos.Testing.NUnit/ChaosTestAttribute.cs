using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Chaos.Testing.NUnit;

/// <summary>
/// Marks a chaos test: an NUnit <c>[Test]</c> that is reported as Ignored, with the reason
/// (<c>Chaos cluster unavailable: …</c>), when the cluster it needs cannot be used here, or failed with the reason in
/// strict mode (<c>CHAOS_STRICT=1</c>). The check is cheap and starts nothing: it runs when the tests are discovered.
/// </summary>
/// <example>
/// <code>
/// [ChaosTest(Kind = "k3s")]   // skipped unless Chaos.Testing.K3s is referenced and Docker is available
/// public async Task Cart_survives_a_node_drain() { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ChaosTestAttribute : TestAttribute, IApplyToTest
{
    /// <summary>The test property holding the requested kind, read by <see cref="ChaosTestBase"/>.</summary>
    public const string KindProperty = "ChaosClusterKind";

    /// <summary>Gets or sets the kind of cluster the test needs: <c>emulator</c>, <c>kubeconfig</c> or <c>k3s</c>.</summary>
    /// <value>The default value is <see langword="null"/>: the run's kind (<c>CHAOS_CLUSTER</c>, <c>CHAOS_KUBECONFIG</c>, else <c>emulator</c>).</value>
    public string? Kind { get; set; }

    /// <summary>Why a test needing <paramref name="kind"/> is skipped here, prefixed <c>Chaos cluster unavailable: </c>, or null when it can run.</summary>
    /// <param name="kind">The kind, or null for the run's kind.</param>
    /// <returns>The skip reason, or null.</returns>
    public static string? SkipReason(string? kind = null) =>
        ChaosClusters.WhyUnavailable(new ChaosClusterOptions { Kind = kind }) is { } why ? ChaosCluster.SkipPrefix + why : null;

    /// <summary>
    /// Applies the test's description and, when its cluster is unavailable, marks it Ignored with the reason; in strict
    /// mode (<c>CHAOS_STRICT=1</c>) it is marked NotRunnable instead, which NUnit reports as a failure with the reason.
    /// </summary>
    /// <param name="test">The test.</param>
    public new void ApplyToTest(Test test) => ApplyToTest(test, new ChaosClusterOptions { Kind = Kind });

    /// <summary>The seam the tests use to set strict mode without the environment.</summary>
    internal void ApplyToTest(Test test, ChaosClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(test);
        base.ApplyToTest(test);
        if (Kind is not null)
        {
            test.Properties.Set(KindProperty, Kind);
        }

        if (test.RunState is RunState.Runnable or RunState.Explicit
            && ChaosClusters.WhyUnavailable(options) is { } why)
        {
            var reason = ChaosCluster.SkipPrefix + why;
            if (options.ResolveStrict())
            {
                test.RunState = RunState.NotRunnable;
                test.Properties.Set(PropertyNames.SkipReason, $"{reason} (strict mode, {ChaosClusterOptions.StrictVariable}: fails instead of skipping)");
                return;
            }

            test.RunState = RunState.Ignored;
            test.Properties.Set(PropertyNames.SkipReason, reason);
        }
    }
}
