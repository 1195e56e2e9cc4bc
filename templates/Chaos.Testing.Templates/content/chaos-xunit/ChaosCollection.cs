using Chaos.Testing.Xunit;
using Xunit;

namespace ChaosTests;

/// <summary>The chaos tests share one cluster (the emulator unless CHAOS_CLUSTER says otherwise) and run one at a time.</summary>
[CollectionDefinition(ChaosCollection.Name, DisableParallelization = true)]
public sealed class ChaosCollectionDefinition : ChaosCollection
{
}
