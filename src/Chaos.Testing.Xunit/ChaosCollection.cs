using System.Diagnostics.CodeAnalysis;
using Xunit;

namespace Chaos.Testing.Xunit;

/// <summary>
/// The base of the collection definition that shares one <see cref="ChaosClusterFixture"/> between chaos tests.
/// xUnit looks for collection definitions in the test assembly, so declare it there:
/// <code>
/// [CollectionDefinition(ChaosCollection.Name, DisableParallelization = true)]
/// public sealed class ShopChaos : ChaosCollection { }
/// </code>
/// and put <c>[Collection(ChaosCollection.Name)]</c> on the test classes. With <c>DisableParallelization</c> the chaos
/// tests of the collection never overlap, with each other or with other collections.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is the base of an xUnit collection definition; the suffix says so.")]
public abstract class ChaosCollection : ICollectionFixture<ChaosClusterFixture>
{
    /// <summary>The collection name to use in <c>[CollectionDefinition]</c> and <c>[Collection]</c>.</summary>
    public const string Name = "Chaos";
}
