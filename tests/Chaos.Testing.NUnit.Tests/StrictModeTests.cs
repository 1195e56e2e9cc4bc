using Chaos.Testing.NUnit;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Chaos.Testing.NUnit.Tests;

/// <summary>Strict mode: an unavailable cluster fails the tests with the reason instead of skipping them.</summary>
public sealed class StrictModeTests
{
    private const string K3sReason =
        "Chaos cluster unavailable: k3s was requested (CHAOS_CLUSTER=k3s) but the Chaos.Testing.K3s package is not referenced by this test project";

    private const string StrictSuffix = " (strict mode, CHAOS_STRICT or ChaosClusterOptions.Strict: the tests fail instead of skipping)";

    [Test]
    public void Strict_marks_a_test_needing_an_unavailable_cluster_not_runnable_with_the_reason()
    {
        var test = new TestMethod(new MethodWrapper(typeof(StrictModeTests), nameof(Strict_marks_a_test_needing_an_unavailable_cluster_not_runnable_with_the_reason)));

        new ChaosTestAttribute { Kind = "k3s" }.ApplyToTest(test, new ChaosClusterOptions { Kind = "k3s", Strict = true });

        test.RunState.Should().Be(RunState.NotRunnable);
        test.Properties.Get(PropertyNames.SkipReason).Should().Be(K3sReason + " (strict mode, CHAOS_STRICT: fails instead of skipping)");
    }

    [Test]
    public async Task Strict_set_up_fails_with_the_reason_and_leaves_the_run_cluster_alone()
    {
        var before = ChaosCluster.Current;

        var acquire = new StrictK3sSetUp().AcquireChaosClusterAsync;

        (await acquire.Should().ThrowAsync<ChaosClusterUnavailableException>()).WithMessage(K3sReason + StrictSuffix);
        ChaosCluster.Current.Should().BeSameAs(before);
    }

    private sealed class StrictK3sSetUp : ChaosClusterSetUp
    {
        protected override ChaosClusterOptions CreateOptions() => new() { Kind = ChaosClusters.K3s, Strict = true };
    }
}
