namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// What the process runtime takes from <c>KubernetesEmulatorOptions.Processes</c>, copied once at start (the controllers
/// sit below the public options type and never see it).
/// </summary>
/// <param name="Images">The user's image mappings: image (or repository) → program and default arguments.</param>
/// <param name="PodRange">The pods' range, or null to choose one.</param>
/// <param name="ServiceRange">The Services' range, or null to choose one.</param>
/// <param name="RestartBackOff">The first restart back-off.</param>
/// <param name="MaxRestartBackOff">The longest restart back-off.</param>
/// <param name="NodeDiskSize">The size of each node's root filesystem (a tmpfs), in bytes.</param>
internal sealed record ProcessRuntimeSettings(
    IReadOnlyDictionary<string, (string Program, IReadOnlyList<string> Args)> Images,
    string? PodRange,
    string? ServiceRange,
    TimeSpan RestartBackOff,
    TimeSpan MaxRestartBackOff,
    long NodeDiskSize);
