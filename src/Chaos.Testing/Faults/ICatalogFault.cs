namespace Chaos.Testing;

/// <summary>
/// A fault of the catalog: its class states what it is in a static <see cref="Descriptor"/>, so the catalog, the janitor,
/// the conformance suite and the docs check find it without a list to keep in step.
/// </summary>
internal interface ICatalogFault
{
    /// <summary>Gets what the fault is: name, target, the operator's action, permissions, crash restore, sample.</summary>
    static abstract FaultDescriptor Descriptor { get; }
}
