using Xunit.Abstractions;
using Xunit.Sdk;

namespace Chaos.Testing.Xunit;

/// <summary>
/// Discovers <see cref="ChaosFactAttribute"/> tests as xUnit's <see cref="FactDiscoverer"/> does, except under strict mode
/// (<c>CHAOS_STRICT=1</c>) with the cluster unavailable: then the test is a failing case whose message is the reason,
/// whether or not it belongs to a chaos collection or uses the fixture.
/// </summary>
internal sealed class ChaosFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink _sink = diagnosticMessageSink;

    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        ChaosStrictFailure.Case(_sink, discoveryOptions, testMethod, factAttribute) ?? base.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="ChaosTheoryAttribute"/> tests as xUnit's <see cref="TheoryDiscoverer"/> does, with the strict-mode failure of <see cref="ChaosFactDiscoverer"/>.</summary>
internal sealed class ChaosTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        ChaosStrictFailure.Case(DiagnosticMessageSink, discoveryOptions, testMethod, theoryAttribute) ?? base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

/// <summary>The failing test case strict mode puts in place of a test whose cluster is unavailable.</summary>
internal static class ChaosStrictFailure
{
    /// <summary>The seam the tests use to set strict mode without the environment (null: <c>CHAOS_STRICT</c>).</summary>
    internal static readonly AsyncLocal<bool?> StrictForTests = new();

    public static IXunitTestCase[]? Case(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, IAttributeInfo attribute)
    {
        if (attribute.GetNamedArgument<string?>(nameof(ChaosFactAttribute.Skip)) is not null)
        {
            return null; // skipped explicitly: strict mode does not turn a skip the author wrote into a failure
        }

        var reason = Reason(new ChaosClusterOptions
        {
            Kind = attribute.GetNamedArgument<string?>(nameof(ChaosFactAttribute.Kind)),
            Strict = StrictForTests.Value,
        });
        return reason is null
            ? null
            : [new ExecutionErrorTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, reason)];
    }

    /// <summary>The failure message under these options, or null when strict mode is off or the cluster can be used.</summary>
    internal static string? Reason(ChaosClusterOptions options) =>
        options.ResolveStrict() && ChaosClusters.WhyUnavailable(options) is { } why
            ? $"{ChaosSkip.Prefix}{why} (strict mode, {ChaosClusterOptions.StrictVariable} or ChaosClusterOptions.Strict: the test fails instead of skipping)"
            : null;
}
