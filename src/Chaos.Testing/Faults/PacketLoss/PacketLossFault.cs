using k8s.Models;

namespace Chaos.Testing;

/// <summary>Drops a share of the pods' packets (netem; iptables <c>statistic</c> where the kernel lacks netem).</summary>
internal sealed class PacketLossFault(double percent, PacketLossOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "packet-loss",
        "pod-network-loss",
        t => t.Pods.LosePackets(30),
        PayloadProfile.TrafficShaping,
        family: "pod-traffic-shaping");

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "lose packets of";

    public override void Validate(ICollection<string> errors) => options.Validate(percent, errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        new PayloadScript(tag).AddNetem(new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(percent, options.Correlation) }, options.TrafficToSpec(), options.Filter()));

    protected override string Describe(V1Pod pod) => $"{percent:0.###}% of packets dropped ({options.Direction.ToString().ToLowerInvariant()})";
}
