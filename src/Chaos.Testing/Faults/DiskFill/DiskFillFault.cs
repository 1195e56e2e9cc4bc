using k8s.Models;

namespace Chaos.Testing;

/// <summary>Fills the filesystem of a path or volume of the pods to a percentage; the file is deleted at the end.</summary>
internal sealed class DiskFillFault(DiskFillOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "disk-fill",
        "pod-disk-fill",
        t => t.Pods.FillDisk(),
        new PayloadProfile(DiskFillOptions.DefaultImage, ["DAC_OVERRIDE", "SYS_PTRACE"], SharesTargetProcesses: true, FillsDisk: true));

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "fill the disk of";

    public override void Validate(ICollection<string> errors) => options.Validate(errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new()
    {
        Image = options.Image,
        TargetContainer = options.Container,
        StartTimeout = options.StartTimeout,
        CleanupTimeout = options.CleanupTimeout,
        VolumeMounts = options.Volume is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [options.Volume] = DiskFillOptions.VolumeMount },
    };

    protected override (string? Path, string? Volume) FillTarget => options.Volume is null ? (options.Path, null) : (null, options.Volume);

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        new PayloadScript(tag).AddDiskFill(new DiskFillSpec(options.FillDirectory, options.Percent));

    protected override string Describe(V1Pod pod) => $"{(options.Volume is null ? $"filesystem of {options.Path}" : $"volume {options.Volume}")} filled to {options.Percent}%";
}
