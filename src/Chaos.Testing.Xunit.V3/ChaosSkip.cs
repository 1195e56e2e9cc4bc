namespace Chaos.Testing.Xunit;

/// <summary>
/// The skip reason and the strict-mode failure shared by <see cref="ChaosFactAttribute"/>, <see cref="ChaosTheoryAttribute"/>
/// and <see cref="ChaosClusterFixture"/>.
/// </summary>
internal static class ChaosSkip
{
    public const string Prefix = "Chaos cluster unavailable: ";

    /// <summary>
    /// The skip reason for the kind (null: <c>CHAOS_CLUSTER</c> and the defaults), or null when the cluster can be used
    /// or strict mode (<c>CHAOS_STRICT</c>) is on: then the test fails with <see cref="StrictFailure(string?)"/> instead (<see cref="FailInStrictMode"/>).
    /// </summary>
    public static string? Reason(string? kind) => Reason(new ChaosClusterOptions { Kind = kind });

    /// <summary>The skip reason under these options; the seam the tests use to set strict mode without the environment.</summary>
    internal static string? Reason(ChaosClusterOptions options) =>
        !options.ResolveStrict() && ChaosClusters.WhyUnavailable(options) is { } why ? Prefix + why : null;

    /// <summary>Why a test needing the kind fails in strict mode, or null when it runs (the cluster can be used, or strict mode is off).</summary>
    public static string? StrictFailure(string? kind) => StrictFailure(new ChaosClusterOptions { Kind = kind });

    /// <summary>The strict-mode failure under these options.</summary>
    internal static string? StrictFailure(ChaosClusterOptions options) =>
        options.ResolveStrict() && ChaosClusters.WhyUnavailable(options) is { } why
            ? $"{Prefix}{why} (strict mode, {ChaosClusterOptions.StrictVariable}: the test fails instead of skipping)"
            : null;

    /// <summary>
    /// Throws <see cref="StrictFailure(string?)"/> when there is one and no reason was set explicitly (that one wins, as it
    /// does for the skip); the attributes call it before each test, so a test fails inside a chaos collection or not.
    /// </summary>
    /// <exception cref="ChaosClusterUnavailableException">Strict mode is on and the cluster of the kind is unavailable.</exception>
    public static void FailInStrictMode(string? explicitSkip, string? kind)
    {
        if (explicitSkip is null && StrictFailure(kind) is { } failure)
        {
            throw new ChaosClusterUnavailableException(failure);
        }
    }
}
