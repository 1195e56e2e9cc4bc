namespace Chaos.Testing.Xunit;

/// <summary>The skip reason shared by <see cref="ChaosFactAttribute"/>, <see cref="ChaosTheoryAttribute"/> and <see cref="ChaosClusterFixture"/>.</summary>
internal static class ChaosSkip
{
    public const string Prefix = "Chaos cluster unavailable: ";

    /// <summary>
    /// The skip reason for the kind (null: <c>CHAOS_CLUSTER</c> and the defaults), or null when the cluster can be used
    /// or strict mode (<c>CHAOS_STRICT</c>) is on: then the test runs and fails with the reason instead.
    /// </summary>
    public static string? Reason(string? kind) => Reason(new ChaosClusterOptions { Kind = kind, Strict = ChaosStrictFailure.StrictForTests.Value });

    /// <summary>The skip reason under these options; the seam the tests use to set strict mode without the environment.</summary>
    internal static string? Reason(ChaosClusterOptions options) =>
        !options.ResolveStrict() && ChaosClusters.WhyUnavailable(options) is { } why ? Prefix + why : null;
}
