namespace Chaos.Testing.K3s;

/// <summary>Turns what was observed in a K3s cluster into the list of missing capabilities (pure, so it is testable without Docker).</summary>
internal static class K3sCapabilities
{
    /// <summary>The shell command run inside the K3s container to find sch_netem: loaded (<c>/proc/modules</c>, the host kernel's) or installed as a module file.</summary>
    public const string NetemCheck = "grep -q '^sch_netem ' /proc/modules || ls /lib/modules/$(uname -r)/kernel/net/sched/sch_netem.ko* >/dev/null 2>&1 || modinfo sch_netem >/dev/null 2>&1";

    /// <summary>The problems.</summary>
    /// <param name="coreResources">The resource names of <c>/api/v1</c> discovery.</param>
    /// <param name="netemExitCode">The exit code of <see cref="NetemCheck"/>, or null when not checked.</param>
    /// <returns>What is missing, with the fix; empty when everything asked for is there.</returns>
    public static IReadOnlyList<string> Problems(IEnumerable<string> coreResources, long? netemExitCode)
    {
        var problems = new List<string>();
        if (!coreResources.Contains("pods/ephemeralcontainers", StringComparer.Ordinal))
        {
            problems.Add("ephemeral containers are not available: /api/v1 does not list the pods/ephemeralcontainers subresource (needs Kubernetes 1.25 or later; use a newer K3s image)");
        }

        if (netemExitCode is { } code && code != 0)
        {
            problems.Add($"the sch_netem kernel module is not loaded or installed on the Docker host (check exited {code}); network delay, corruption and duplication faults need it (loss falls back to iptables): run `sudo modprobe sch_netem` on the Docker host (WSL2/Docker Desktop kernels may not ship it)");
        }

        return problems;
    }
}
