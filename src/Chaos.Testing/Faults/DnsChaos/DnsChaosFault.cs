using k8s.Models;

namespace Chaos.Testing;

/// <summary>Breaks name resolution: blocks DNS, or a DNS proxy answers NXDOMAIN or a wrong address for matching names.</summary>
internal sealed class DnsChaosFault(DnsChaosOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "dns-chaos",
        null,
        t => t.Pods.DnsChaos(),
        new PayloadProfile(DnsChaosOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"]));

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "break DNS of";

    public override void Validate(ICollection<string> errors) => options.Validate(errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        DnsChaosPayload.Build(tag, options.ToSpec());

    protected override string Describe(V1Pod pod) => options.Mode switch
        {
            DnsChaosMode.Block => "DNS blocked",
            DnsChaosMode.Fail => $"DNS fails for {string.Join(", ", options.Patterns)}",
            _ => $"DNS answers {options.Address} for {string.Join(", ", options.Patterns)}",
        };
}
