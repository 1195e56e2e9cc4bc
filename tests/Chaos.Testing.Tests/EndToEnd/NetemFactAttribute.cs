using System.Diagnostics;
using Chaos.Testing.Emulator;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>A process-runtime test that needs netem in the kernel (or, with <c>needsNetem: false</c>, its absence).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NetemFactAttribute : FactAttribute
{
    /// <summary>Probed once per test process: every test of this kind asks the same.</summary>
    private static readonly Lazy<string?> NoNetem = new(WhyNoNetem);

    /// <param name="fault">What needs netem, for the skip reason (e.g. "the delay").</param>
    /// <param name="needsNetem">Whether the test needs netem (the effect) or its absence (the failure path).</param>
    public NetemFactAttribute(string fault, bool needsNetem)
    {
        Skip = KubernetesEmulator.WhyUnavailable(PodRuntime.Processes) ?? (NoNetem.Value, needsNetem) switch
        {
            (null, false) => $"this kernel has netem, so {fault} cannot fail for its lack",
            ({ } why, true) => $"this kernel has no netem, which {fault} needs ({why}); the failure path is tested instead",
            _ => null,
        };
    }

    /// <summary>Null when a netem qdisc can be added (in a scratch network namespace), else tc's error.</summary>
    private static string? WhyNoNetem()
    {
        var netns = $"chaos-e2e-netem-probe-{Environment.ProcessId}";
        Run("ip", "netns", "add", netns);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("tc", ["-n", netns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"tc qdisc add ... netem: {error.Trim()}";
        }
        finally
        {
            Run("ip", "netns", "del", netns);
        }
    }
}
