using Chaos.Testing.Emulator.Runtime.Mounts;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>A container's volumes as mounts, or why it cannot get them (the container then waits with that reason).</summary>
/// <param name="Mounts">The mounts, in the order of its <c>volumeMounts</c>.</param>
/// <param name="Reason">The waiting reason when it cannot start (<c>CreateContainerConfigError</c>, <c>ContainerCreating</c>), else <see langword="null"/>.</param>
/// <param name="Message">What is wrong, for the waiting state's message.</param>
internal sealed record VolumePlan(IReadOnlyList<VolumeMount> Mounts, string? Reason = null, string? Message = null)
{
    /// <summary>A container that cannot be created: its spec asks for what the runtime cannot do (a volume type, a missing volume).</summary>
    public static VolumePlan ConfigError(string message) => new([], "CreateContainerConfigError", message);

    /// <summary>A volume that cannot be set up yet (a hostPath type check failed): the kubelet keeps trying, the container keeps waiting.</summary>
    public static VolumePlan NotYet(string volume, string message) =>
        new([], "ContainerCreating", $"MountVolume.SetUp failed for volume \"{volume}\" : {message}");
}
