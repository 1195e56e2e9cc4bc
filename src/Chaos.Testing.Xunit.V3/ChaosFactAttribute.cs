using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit;
using Xunit.v3;

namespace Chaos.Testing.Xunit;

/// <summary>
/// A <see cref="FactAttribute"/> for chaos tests: when the cluster kind it needs cannot be used here (for example
/// <c>CHAOS_CLUSTER=k3s</c> without the Chaos.Testing.K3s package), the test is reported as skipped with
/// <c>Chaos cluster unavailable: </c> and the reason of <see cref="ChaosClusters.WhyUnavailable(ChaosClusterOptions?)"/>.
/// In strict mode (<c>CHAOS_STRICT=1</c>) it fails with that reason instead, inside a chaos collection or not.
/// </summary>
/// <remarks>
/// The check is cheap (it starts nothing) and runs when xUnit discovers the test: xUnit reads the skip reason through
/// <see cref="IFactAttribute.Skip"/>, which is <see cref="SkipReason"/>. The strict-mode failure is thrown before the
/// test runs (<see cref="IBeforeAfterTestAttribute.Before"/>), so it needs no fixture.
/// </remarks>
/// <param name="sourceFilePath">The test's source file, filled in by the compiler.</param>
/// <param name="sourceLineNumber">The test's line, filled in by the compiler.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public class ChaosFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
    : FactAttribute(sourceFilePath, sourceLineNumber), IFactAttribute, IBeforeAfterTestAttribute
{
    /// <summary>Gets or sets the cluster kind the test needs: <c>emulator</c>, <c>kubeconfig</c> or <c>k3s</c>.</summary>
    /// <value>The default value is <see langword="null"/>: <c>CHAOS_CLUSTER</c>, else <c>kubeconfig</c> when <c>CHAOS_KUBECONFIG</c> is set, else <c>emulator</c>.</value>
    public string? Kind { get; set; }

    /// <summary>
    /// Gets the skip reason xUnit uses: <see cref="FactAttribute.Skip"/> when set, else why the cluster of <see cref="Kind"/>
    /// is unavailable, else null. Under strict mode an unavailable cluster does not skip: the test fails with the reason.
    /// </summary>
    public string? SkipReason => Skip ?? ChaosSkip.Reason(Kind);

    /// <inheritdoc cref="SkipReason"/>
    string? IFactAttribute.Skip => SkipReason;

    /// <summary>In strict mode with the cluster unavailable, fails the test with the reason before it runs.</summary>
    /// <param name="methodUnderTest">The test method.</param>
    /// <param name="test">The test.</param>
    void IBeforeAfterTestAttribute.Before(MethodInfo methodUnderTest, IXunitTest test) => ChaosSkip.FailInStrictMode(Skip, Kind);

    /// <summary>Does nothing.</summary>
    /// <param name="methodUnderTest">The test method.</param>
    /// <param name="test">The test.</param>
    void IBeforeAfterTestAttribute.After(MethodInfo methodUnderTest, IXunitTest test)
    {
    }
}
