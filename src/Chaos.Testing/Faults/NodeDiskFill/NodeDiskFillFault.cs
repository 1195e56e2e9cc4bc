using k8s.Models;

namespace Chaos.Testing;

/// <summary>Fills a node directory's filesystem to a percentage from a pod pinned to each node (hostPath); the file is deleted at the end.</summary>
internal sealed class NodeDiskFillFault(NodeDiskFillOptions options) : NodePayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = NodePayloadDescriptor(
        "node-disk-fill",
        "node-disk-fill",
        t => t.Nodes.FillDisk(o => o.Percent = 80),
        new PayloadProfile(DiskFillOptions.DefaultImage, [], FillsDisk: true));

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "fill the disk of";

    protected override string PayloadNamespace => options.Namespace;

    protected override string Image => options.Image;

    protected override TimeSpan StartTimeout => options.StartTimeout;

    protected override TimeSpan CleanupTimeout => options.CleanupTimeout;

    protected override string? HostPath => options.Path;

    public override void Validate(ICollection<string> errors) => options.Validate(errors);

    protected override PayloadScript ScriptFor(FaultContext context, V1Node node, string tag) =>
        new PayloadScript(tag).AddDiskFill(new DiskFillSpec(HostMount, options.Percent));

    protected override string Describe(V1Node node) => $"filesystem of {options.Path} filled to {options.Percent}%";
}
