using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>What a custom fault's inject and recover delegates get: the client, the experiment id and the picked targets.</summary>
public sealed class CustomFaultContext
{
    internal CustomFaultContext(IKubernetes client, string experimentId, IReadOnlyList<V1Pod> pods, IReadOnlyList<V1Node> nodes)
    {
        Client = client;
        ExperimentId = experimentId;
        Pods = pods;
        Nodes = nodes;
    }

    /// <summary>Gets the client of the cluster the experiment runs against.</summary>
    public IKubernetes Client { get; }

    /// <summary>Gets the experiment id (tag what you create with it, so recovery can find it).</summary>
    public string ExperimentId { get; }

    /// <summary>Gets the picked pods (empty in a node experiment).</summary>
    public IReadOnlyList<V1Pod> Pods { get; }

    /// <summary>Gets the picked nodes (empty in a pod experiment).</summary>
    public IReadOnlyList<V1Node> Nodes { get; }
}
