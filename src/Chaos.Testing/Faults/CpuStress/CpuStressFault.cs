using k8s.Models;

namespace Chaos.Testing;

/// <summary>Loads the pods' CPU with stress-ng for the duration.</summary>
internal sealed class CpuStressFault(CpuStressOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "cpu-stress",
        "pod-cpu-stress",
        t => t.Pods.StressCpu(o => o.Load = 50),
        new PayloadProfile(StressFaultOptions.DefaultImage, [], SharesTargetProcesses: true));

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "stress the CPU of";

    public override void Validate(ICollection<string> errors) => options.Validate(errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        new PayloadScript(tag).AddCpuStress(new CpuStressSpec(options.Workers, options.Load), PayloadHold(context));

    protected override string Describe(V1Pod pod) => $"CPU stress: {options.Workers} worker(s) at {options.Load}%";
}
