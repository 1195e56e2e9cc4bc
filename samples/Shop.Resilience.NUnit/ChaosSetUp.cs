using Chaos.Testing.NUnit;
using NUnit.Framework;

// Chaos experiments must not overlap: run one test at a time (ChaosTestBase is [NonParallelizable] too).
[assembly: LevelOfParallelism(1)]

namespace Shop.Resilience.NUnit;

/// <summary>
/// Starts the cluster once for every test in this namespace and stops it after them. The emulator by default;
/// CHAOS_CLUSTER=kubeconfig (or CHAOS_KUBECONFIG=path) uses a real cluster, CHAOS_CLUSTER=k3s a K3s container.
/// </summary>
[SetUpFixture]
public sealed class ChaosSetUp : ChaosClusterSetUp
{
}
