namespace Chaos.Testing.K3s;

/// <summary>Turns what was observed in a K3s cluster into the list of missing capabilities (pure, so it is testable without Docker).</summary>
internal static class K3sCapabilities
{
    /// <summary>The problems.</summary>
    /// <param name="coreResources">The resource names of <c>/api/v1</c> discovery.</param>
    /// <param name="netemProblem">What the netem probe found (<see cref="NetemProbe"/>): empty when netem works, null when not checked.</param>
    /// <returns>What is missing, with the fix; empty when everything asked for is there.</returns>
    public static IReadOnlyList<string> Problems(IEnumerable<string> coreResources, string? netemProblem)
    {
        var problems = new List<string>();
        if (!coreResources.Contains("pods/ephemeralcontainers", StringComparer.Ordinal))
        {
            problems.Add("ephemeral containers are not available: /api/v1 does not list the pods/ephemeralcontainers subresource (needs Kubernetes 1.25 or later; use a newer K3s image)");
        }

        if (!string.IsNullOrEmpty(netemProblem))
        {
            problems.Add(netemProblem);
        }

        return problems;
    }
}
