using Chaos.Testing.Xunit;
using Xunit;

namespace Shop.Resilience.XunitV3;

/// <summary>One cluster for every chaos test of this assembly; the tests of the collection never overlap.</summary>
[CollectionDefinition(ChaosCollection.Name, DisableParallelization = true)]
public sealed class ShopChaos : ChaosCollection
{
}
