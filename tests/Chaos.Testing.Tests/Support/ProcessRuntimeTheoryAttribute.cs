using Chaos.Testing.Emulator;

namespace Chaos.Testing.Tests.Support;

/// <summary>A theory that needs the emulator's process runtime (Linux, root, the tools); skipped with the reason elsewhere.</summary>
public sealed class ProcessRuntimeTheoryAttribute : TheoryAttribute
{
    public ProcessRuntimeTheoryAttribute()
    {
        Skip = KubernetesEmulator.WhyUnavailable(PodRuntime.Processes);
    }
}
