using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit;
using Xunit.v3;

namespace Chaos.Testing.Xunit;

/// <summary>
/// A <see cref="TheoryAttribute"/> for chaos tests: when the cluster kind it needs cannot be used here, every case is
/// reported as skipped with <c>Chaos cluster unavailable: </c> and the reason, or failed with it in strict mode
/// (see <see cref="ChaosFactAttribute"/>).
/// </summary>
/// <param name="sourceFilePath">The test's source file, filled in by the compiler.</param>
/// <param name="sourceLineNumber">The test's line, filled in by the compiler.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public class ChaosTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
    : TheoryAttribute(sourceFilePath, sourceLineNumber), IFactAttribute, IBeforeAfterTestAttribute
{
    /// <summary>Gets or sets the cluster kind the test needs: <c>emulator</c>, <c>kubeconfig</c> or <c>k3s</c>.</summary>
    /// <value>The default value is <see langword="null"/>: <c>CHAOS_CLUSTER</c>, else <c>kubeconfig</c> when <c>CHAOS_KUBECONFIG</c> is set, else <c>emulator</c>.</value>
    public string? Kind { get; set; }

    /// <inheritdoc cref="ChaosFactAttribute.SkipReason"/>
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
