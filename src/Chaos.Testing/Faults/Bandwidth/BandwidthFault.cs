using k8s.Models;

namespace Chaos.Testing;

/// <summary>Limits the pods' bandwidth with a tbf qdisc.</summary>
internal sealed class BandwidthFault(long bitsPerSecond, BandwidthOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "bandwidth",
        null,
        t => t.Pods.LimitBandwidth(1_000_000),
        PayloadProfile.TrafficShaping,
        family: "pod-traffic-shaping");

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "limit the bandwidth of";

    public override void Validate(ICollection<string> errors) => options.Validate(bitsPerSecond, errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        new PayloadScript(tag).AddBandwidth(new BandwidthFaultSpec(new BandwidthLimit(bitsPerSecond, options.Burst, options.Latency), options.TrafficToSpec()));

    protected override string Describe(V1Pod pod) => $"bandwidth limited to {bitsPerSecond} bit/s ({options.Direction.ToString().ToLowerInvariant()})";
}
