namespace Chaos.Testing.NUnit;

/// <summary>
/// The cluster of the test run, set by a <see cref="ChaosClusterSetUp"/> fixture before the tests run and released
/// after them. <see cref="ChaosTestBase"/> reads it; other tests can too.
/// </summary>
public static class ChaosCluster
{
    /// <summary>Gets the cluster, or null when it is unavailable (see <see cref="UnavailableReason"/>) or not acquired yet.</summary>
    public static IChaosCluster? Current { get; internal set; }

    /// <summary>Gets why the cluster could not be acquired (the <see cref="ChaosClusterUnavailableException"/> message), or null.</summary>
    public static string? UnavailableReason { get; internal set; }

    /// <summary>Gets what the janitor recovered when the cluster was acquired (left by crashed or interrupted runs), or null.</summary>
    public static SweepResult? InitialSweep { get; internal set; }

    /// <summary>The prefix of every skip reason the adapter gives: <c>Chaos cluster unavailable: </c>.</summary>
    public const string SkipPrefix = "Chaos cluster unavailable: ";
}
