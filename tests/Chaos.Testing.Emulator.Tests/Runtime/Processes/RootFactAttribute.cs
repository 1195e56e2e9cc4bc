using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>A test that runs containers as processes: needs Linux, root, cgroups and the named tools; skipped with the reason otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(params string[] tools)
    {
        Skip = ProcessEnvironment.WhyUnavailable(tools);
    }
}

/// <summary>Whether this machine can run the process runtime's tests.</summary>
public static class ProcessEnvironment
{
    private static readonly string[] ChainTools = ["unshare", "nsenter", "setpriv"];

    /// <summary>Why tests needing <paramref name="tools"/> cannot run here, or null.</summary>
    public static string? WhyUnavailable(params string[] tools)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "process runtime tests need Linux (namespaces, cgroups)";
        }

        if (!File.ReadAllText("/proc/self/status").Contains("\nUid:\t0\t", StringComparison.Ordinal))
        {
            return "process runtime tests need root (PID namespaces, cgroups, setpriv); CI runs them as root";
        }

        var missing = ChainTools.Concat(tools).Where(t => HostTools.Find(t) is null).ToList();
        if (missing.Count > 0)
        {
            return $"process runtime tests need {string.Join(", ", missing)} (util-linux, iproute2, python3)";
        }

        return Cgroups.Layout is null ? $"process runtime tests need cgroups: {Cgroups.Problem}" : null;
    }
}
