using Chaos.Testing.NUnit;

namespace Chaos.Testing.NUnit.Tests;

/// <summary>One cluster (the emulator, unless CHAOS_CLUSTER says otherwise) for every test in this namespace.</summary>
[SetUpFixture]
public sealed class ChaosSetUp : ChaosClusterSetUp
{
}
