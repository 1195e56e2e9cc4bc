using k8s.Models;

namespace Chaos.Testing;

/// <summary>Signals the main process of a container from a container sharing its PID namespace; one-shot.</summary>
internal sealed class ContainerKillFault(ContainerKillOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "container-kill",
        null,
        t => t.Pods.KillContainer(),
        new PayloadProfile(DiskFillOptions.DefaultImage, ["KILL"], SharesTargetProcesses: true, OneShot: true));

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "kill a container of";

    public override void Validate(ICollection<string> errors) => options.Validate(errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        new PayloadScript(tag).AddContainerKill(new ContainerKillSpec(options.Signal));

    protected override TimeSpan PayloadHold(FaultContext context) => TimeSpan.Zero;

    protected override bool OneShot => true;

    protected override string Describe(V1Pod pod) => $"container {options.Container ?? "(first)"} sent SIG{options.Signal.Trim().ToUpperInvariant().Replace("SIG", string.Empty, StringComparison.Ordinal)}";
}
