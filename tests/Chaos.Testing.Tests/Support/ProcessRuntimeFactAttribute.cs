using Chaos.Testing.Emulator;

namespace Chaos.Testing.Tests.Support;

/// <summary>A test that needs the emulator's process runtime (Linux, root, the tools); skipped with the reason elsewhere.</summary>
public sealed class ProcessRuntimeFactAttribute : FactAttribute
{
    public ProcessRuntimeFactAttribute()
    {
        Skip = KubernetesEmulator.WhyUnavailable(PodRuntime.Processes);
    }
}
