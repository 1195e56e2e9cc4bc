using k8s.Models;

namespace Chaos.Testing;

/// <summary>The <c>StressMemory()</c> fault of the DSL.</summary>
public static class MemoryStressChaosExtensions
{
    /// <summary>Holds memory with stress-ng workers in an ephemeral container of the selected pods, for the duration.</summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="configure">Bytes or percent, workers, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment StressMemory(this PodChaos chaos, Action<MemoryStressOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        var o = new MemoryStressOptions();
        configure?.Invoke(o);
        var fault = new PayloadFault(
            "memory-stress",
            "stress the memory of",
            new PayloadContainer { Image = o.Image, TargetContainer = o.Container },
            o.Validate,
            (tag, hold) => new PayloadScript(tag).AddMemoryStress(o.ToSpec(), hold),
            o.Percent is { } percent ? $"memory stress: {percent}% held by {o.Workers} worker(s)" : $"memory stress: {o.Bytes} bytes held by {o.Workers} worker(s)");
        return new ChaosExperiment(new FaultBinding<V1Pod>(chaos, fault));
    }
}
