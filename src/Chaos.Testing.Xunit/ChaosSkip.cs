namespace Chaos.Testing.Xunit;

/// <summary>The skip reason shared by <see cref="ChaosFactAttribute"/>, <see cref="ChaosTheoryAttribute"/> and <see cref="ChaosClusterFixture"/>.</summary>
internal static class ChaosSkip
{
    public const string Prefix = "Chaos cluster unavailable: ";

    /// <summary>The skip reason for the kind (null: <c>CHAOS_CLUSTER</c> and the defaults), or null when the cluster can be used.</summary>
    public static string? Reason(string? kind) =>
        ChaosClusters.WhyUnavailable(new ChaosClusterOptions { Kind = kind }) is { } why ? Prefix + why : null;
}
