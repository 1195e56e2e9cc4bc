namespace Chaos.Testing;

/// <summary>What a payload needs from its container: image, capabilities, the target container, volume mounts.</summary>
internal sealed record PayloadContainer
{
    public required string Image { get; init; }

    /// <summary>Gets the Linux capabilities to add (never privileged), e.g. <c>NET_ADMIN</c>.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>Gets the container whose PID namespace the payload joins (its root filesystem is then at <c>/proc/1/root</c>); null for the first container.</summary>
    public string? TargetContainer { get; init; }

    /// <summary>Gets how long the payload may take to run and install its fault, a cold image pull included (<see cref="PayloadOptions.StartTimeout"/>).</summary>
    public TimeSpan StartTimeout { get; init; } = PayloadOptions.DefaultStartTimeout;

    /// <summary>Gets how long an early-recovery cleanup container may take, its image pull included (<see cref="PayloadOptions.CleanupTimeout"/>).</summary>
    public TimeSpan CleanupTimeout { get; init; } = PayloadOptions.DefaultCleanupTimeout;

    /// <summary>Gets the pod volumes to mount (name → mount path); ephemeral containers may mount volumes, without subPath.</summary>
    public IReadOnlyDictionary<string, string> VolumeMounts { get; init; } = new Dictionary<string, string>();
}
