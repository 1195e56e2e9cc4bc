using k8s.Models;

namespace Chaos.Testing;

/// <summary>Corrupts a share of the pods' packets with netem.</summary>
internal sealed class PacketCorruptionFault(double percent, PacketCorruptionOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "packet-corruption",
        "pod-network-corruption",
        t => t.Pods.CorruptPackets(10),
        PayloadProfile.TrafficShaping,
        family: "pod-traffic-shaping");

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "corrupt packets of";

    public override void Validate(ICollection<string> errors) => options.Validate(percent, errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        new PayloadScript(tag).AddNetem(new NetemFaultSpec(new NetemEffects { CorruptionPercent = percent }, options.TrafficToSpec(), options.Filter()));

    protected override string Describe(V1Pod pod) => $"{percent:0.###}% of packets corrupted ({options.Direction.ToString().ToLowerInvariant()})";
}
