using k8s.Models;

namespace Chaos.Testing;

/// <summary>Allocates and holds memory in the pods with stress-ng for the duration.</summary>
internal sealed class MemoryStressFault(MemoryStressOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "memory-stress",
        "pod-memory-stress",
        t => t.Pods.StressMemory(),
        new PayloadProfile(StressFaultOptions.DefaultImage, [], SharesTargetProcesses: true));

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "stress the memory of";

    public override void Validate(ICollection<string> errors) => options.Validate(errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        new PayloadScript(tag).AddMemoryStress(options.ToSpec(), PayloadHold(context));

    protected override string Describe(V1Pod pod) => options.Percent is { } percent ? $"memory stress: {percent}% held by {options.Workers} worker(s)" : $"memory stress: {options.Bytes} bytes held by {options.Workers} worker(s)";
}
