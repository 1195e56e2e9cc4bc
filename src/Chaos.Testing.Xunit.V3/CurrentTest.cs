using Xunit;

namespace Chaos.Testing.Xunit;

/// <summary>The running test, from xUnit v3's <see cref="TestContext.Current"/>: right even when a helper method asks.</summary>
internal static class CurrentTest
{
    /// <summary>The running test method's name, e.g. <c>Kill_OneCartPod_DeploymentRecovers</c>.</summary>
    /// <exception cref="InvalidOperationException">No test is running (called from a fixture, a constructor or another thread's leftover work).</exception>
    public static string MethodName() =>
        TestContext.Current.TestMethod?.MethodName
        ?? throw new InvalidOperationException(
            "No xUnit test is running here, so the test's name is unknown; call it from inside a test or pass the name: CreateNamespaceAsync(\"my-test\").");

    /// <summary>The name of the test <paramref name="output"/> belongs to.</summary>
    /// <exception cref="ArgumentException">The helper is not the running test's (not the one xUnit injected, or read outside a test).</exception>
    public static string MethodName(ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!ReferenceEquals(output, TestContext.Current.TestOutputHelper))
        {
            throw new ArgumentException(
                $"The test output helper ({output.GetType().FullName}) is not bound to the running xUnit test, so the test's name is unknown; "
                + "pass the ITestOutputHelper xUnit injected into the test class, from inside a test, or pass the name: CreateNamespaceAsync(\"my-test\").",
                nameof(output));
        }

        return MethodName();
    }
}
