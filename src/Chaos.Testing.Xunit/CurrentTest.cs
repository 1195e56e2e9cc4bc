using System.Reflection;
using Xunit.Abstractions;

namespace Chaos.Testing.Xunit;

/// <summary>
/// The test an <see cref="ITestOutputHelper"/> belongs to. xUnit v2 has no ambient "current test", but the output
/// helper it injects into a test class is bound to one test; its <c>test</c> field is where xUnit keeps it.
/// </summary>
internal static class CurrentTest
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    /// <summary>The test method's name, e.g. <c>Kill_OneCartPod_DeploymentRecovers</c>.</summary>
    /// <exception cref="ArgumentException">The helper is not bound to a test (not the one xUnit injected, or read outside a test).</exception>
    public static string MethodName(ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var test = output.GetType().GetField("test", Instance)?.GetValue(output) as ITest
            ?? throw new ArgumentException(
                $"The test output helper ({output.GetType().FullName}) is not bound to a running xUnit test, so the test's name is unknown; "
                + "pass the ITestOutputHelper xUnit injected into the test class, from inside a test, or pass the name: CreateNamespaceAsync(\"my-test\").",
                nameof(output));
        return test.TestCase.TestMethod.Method.Name;
    }

    /// <summary>The test's display name, or null when the helper is not bound to a running test.</summary>
    public static string? DisplayNameOrNull(ITestOutputHelper output) =>
        (output.GetType().GetField("test", Instance)?.GetValue(output) as ITest)?.DisplayName;
}
