using k8s.Models;

namespace Chaos.Testing;

/// <summary>Loads the nodes' CPU with stress-ng in a pod pinned to each node (tolerating every taint).</summary>
internal sealed class NodeCpuStressFault(NodeCpuStressOptions options) : NodePayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = NodePayloadDescriptor(
        "node-cpu-stress",
        "node-cpu-stress",
        t => t.Nodes.StressCpu(o => o.Load = 50),
        new PayloadProfile(StressFaultOptions.DefaultImage, []));

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "stress the CPU of";

    protected override string PayloadNamespace => options.Namespace;

    protected override string Image => options.Image;

    protected override TimeSpan StartTimeout => options.StartTimeout;

    protected override TimeSpan CleanupTimeout => options.CleanupTimeout;

    public override void Validate(ICollection<string> errors) => options.Validate(errors);

    protected override PayloadScript ScriptFor(FaultContext context, V1Node node, string tag) =>
        new PayloadScript(tag).AddCpuStress(new CpuStressSpec(options.Workers, options.Load), PayloadHold(context));

    protected override string Describe(V1Node node) => $"CPU stress: {options.Workers} worker(s) at {options.Load}%";
}
