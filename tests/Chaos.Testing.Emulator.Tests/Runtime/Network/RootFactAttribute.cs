using System.Diagnostics;

namespace Chaos.Testing.Emulator.Tests.Runtime.Network;

/// <summary>
/// A test that builds a real pod network (network namespaces, a bridge, iptables): it needs Linux, root and the
/// tools. Otherwise it is reported skipped with the reason; CI runs these tests as root with the tools installed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        Skip = NetworkTestEnvironment.WhyUnavailable;
    }
}

/// <summary>Whether this machine can run the pod network tests.</summary>
public static class NetworkTestEnvironment
{
    private static readonly string[] Tools = ["ip", "iptables", "iptables-save", "iptables-restore", "python3", "curl", "getent", "dig", "ss"];

    /// <summary>Gets why the pod network tests cannot run here, or null when they can.</summary>
    public static string? WhyUnavailable { get; } = Check();

    private static string? Check()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "pod network tests need Linux (network namespaces, a bridge, iptables)";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "pod network tests need root (network namespaces, a bridge, iptables); CI runs them as root";
        }

        var missing = Tools.Where(t => Which(t) is null).ToList();
        return missing.Count == 0 ? null : $"pod network tests need {string.Join(", ", missing)} on PATH (apt-get install iproute2 iptables python3 curl dnsutils)";
    }

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}

/// <summary>
/// The pod network tests share one collection: they run one after another, so that the leftovers test's pieces of a
/// dead owner are removed by its own call and not by another test's <c>Create</c>, and so that two cores under load
/// are not asked to start a dozen Python servers at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PodNetworkTestGroup
{
    public const string Name = "pod network";
}

/// <summary>
/// The leftovers tests run alone, after every parallel test: any emulator on the process runtime sweeps dead runs when
/// it starts, and would otherwise remove a test's fake leftovers before the test's own call could report them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PodNetworkLeftoversTestGroup
{
    public const string Name = "pod network leftovers";
}
