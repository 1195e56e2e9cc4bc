namespace Chaos.Testing;

/// <summary>
/// The protocol between the engine and a payload container, in one place: what the engine declares in the container's
/// environment and what the payload prints. The emulator reads the same constants (it is granted this package's internals),
/// so neither side can drift from the other.
/// </summary>
internal static class PayloadProtocol
{
    /// <summary>The environment variable that declares how long a payload holds its fault, in whole seconds.</summary>
    public const string HoldSecondsVariable = "CHAOS_TESTING_HOLD_SECONDS";

    /// <summary>The environment variable by which a cleanup container names the payload container it stops.</summary>
    public const string StopsVariable = "CHAOS_TESTING_STOPS";

    /// <summary>The line a payload prints once its fault is in place.</summary>
    public const string InstalledMarker = "chaos: installed";

    /// <summary>The start of the line a payload prints (to stderr) when a step of its install fails, before it exits 1.</summary>
    public const string InstallFailedPrefix = "chaos: install failed: ";
}
