using Chaos.Testing.NUnit;
using NUnit.Framework;

namespace ChaosTests;

/// <summary>One cluster for the tests of this namespace (the emulator unless CHAOS_CLUSTER says otherwise).</summary>
[SetUpFixture]
public sealed class ChaosSetUp : ChaosClusterSetUp
{
}
