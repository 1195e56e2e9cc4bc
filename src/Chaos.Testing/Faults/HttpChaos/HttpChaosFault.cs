using k8s.Models;

namespace Chaos.Testing;

/// <summary>An HTTP proxy in front of a port of the pods delays or aborts a share of the requests.</summary>
internal sealed class HttpChaosFault(int port, HttpChaosOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "http-chaos",
        null,
        t => t.Pods.HttpChaos(8080, o => o.AbortStatus = 503),
        new PayloadProfile(HttpChaosOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"]));

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "break HTTP of";

    public override void Validate(ICollection<string> errors) => options.Validate(port, errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        HttpChaosPayload.Build(tag, options.ToSpec(port));

    protected override string Describe(V1Pod pod) => $"HTTP on port {port}: {options.Percent:0.###}% of requests{(options.Delay > TimeSpan.Zero ? $" delayed {options.Delay.TotalMilliseconds:0} ms" : string.Empty)}{(options.AbortStatus is { } status ? $" answered {status}" : string.Empty)}";
}
