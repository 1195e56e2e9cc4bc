using k8s.Models;

namespace Chaos.Testing;

/// <summary>Delays the pods' traffic with netem (NET_ADMIN only).</summary>
internal sealed class NetworkDelayFault(TimeSpan latency, NetworkDelayOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "network-delay",
        "pod-delay",
        t => t.Pods.DelayNetwork(TimeSpan.FromMilliseconds(100)),
        PayloadProfile.TrafficShaping,
        family: "pod-traffic-shaping");

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "delay the network of";

    public override void Validate(ICollection<string> errors) => options.Validate(latency, errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        new PayloadScript(tag).AddNetem(new NetemFaultSpec(new NetemEffects { Delay = new NetworkDelay(latency, options.Jitter, options.Correlation) }, options.TrafficToSpec(), options.Filter()));

    protected override string Describe(V1Pod pod) => $"network delayed by {latency.TotalMilliseconds:0.###} ms{(options.Jitter > TimeSpan.Zero ? $" ± {options.Jitter.TotalMilliseconds:0.###} ms" : string.Empty)} ({options.Direction.ToString().ToLowerInvariant()})";
}
