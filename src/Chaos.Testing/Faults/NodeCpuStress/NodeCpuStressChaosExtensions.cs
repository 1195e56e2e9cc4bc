using k8s.Models;

namespace Chaos.Testing;

/// <summary>The <c>StressCpu()</c> fault of the DSL for nodes.</summary>
public static class NodeCpuStressChaosExtensions
{
    /// <summary>
    /// Loads the CPU of the selected nodes with stress-ng in a pod pinned to each node (tolerating every taint), for the
    /// duration; the pod is deleted when the hold ends, on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Workers, load, namespace, image.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment StressCpu(this NodeChaos chaos, Action<NodeCpuStressOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        var o = new NodeCpuStressOptions();
        configure?.Invoke(o);
        var fault = new NodePayloadDelegateFault(
            "node-cpu-stress",
            "stress the CPU of",
            o,
            null,
            o.Validate,
            (tag, hold) => new PayloadScript(tag).AddCpuStress(new CpuStressSpec(o.Workers, o.Load), hold),
            $"CPU stress: {o.Workers} worker(s) at {o.Load}%");
        return new ChaosExperiment(new FaultBinding<V1Node>(chaos, fault));
    }
}
