using k8s.Models;

namespace Chaos.Testing;

/// <summary>The one definition of a Ready pod used by planning, faults, probes and clusters.</summary>
internal static class PodReadiness
{
    public static bool IsReady(this V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
