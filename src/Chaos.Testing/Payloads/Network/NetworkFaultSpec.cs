namespace Chaos.Testing;

/// <summary>A network fault on one interface of the pod's network namespace.</summary>
/// <param name="Direction">The traffic affected.</param>
internal abstract record NetworkFaultSpec(NetworkDirection Direction)
{
    /// <summary>Gets the pod's interface.</summary>
    /// <value>The default value is <c>eth0</c>.</value>
    public string Interface { get; init; } = "eth0";
}
