using Chaos.Testing;
using Chaos.Testing.Emulator;
using Xunit;

namespace Shop.EndToEnd.Tests;

/// <summary>
/// A test that needs pods that really run (the emulator's process runtime: Linux, root, iproute2, iptables, util-linux):
/// skipped with the runtime's own reason elsewhere, unless strict mode (<c>CHAOS_STRICT=1</c>) asks it to run and fail.
/// </summary>
public sealed class ProcessRuntimeFactAttribute : FactAttribute
{
    public ProcessRuntimeFactAttribute()
    {
        if (!new ChaosClusterOptions().ResolveStrict() && KubernetesEmulator.WhyUnavailable(PodRuntime.Processes) is { } why)
        {
            Skip = why;
        }
    }
}
