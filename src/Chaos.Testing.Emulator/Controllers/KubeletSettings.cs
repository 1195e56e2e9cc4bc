namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// What the controllers take from the emulator's options, copied once at start: the controllers sit below the public
/// options type and never see it.
/// </summary>
/// <param name="TimeProvider">The emulator's clock.</param>
/// <param name="PodStartDelay">How long a scheduled pod takes to start.</param>
/// <param name="PodReadyDelay">How long a started pod takes to become Ready.</param>
/// <param name="PodTerminationDelay">How long a terminating pod takes to go (bounded by its grace period).</param>
/// <param name="PayloadInstallError">When set, what every payload prints before it exits 1.</param>
/// <param name="UnpullableImages">Images an ephemeral container cannot pull (it waits with ErrImagePull): the options' own set, so a test may change it while the emulator runs.</param>
/// <param name="RealisticTiming">Whether pods keep the pace of <see cref="RealisticTiming"/> instead of the three delays.</param>
internal sealed record KubeletSettings(
    TimeProvider TimeProvider,
    TimeSpan PodStartDelay,
    TimeSpan PodReadyDelay,
    TimeSpan PodTerminationDelay,
    string? PayloadInstallError,
    ISet<string>? UnpullableImages = null,
    bool RealisticTiming = false);
