using System.Text.Json;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Support;

/// <summary>
/// A comparable picture of what chaos may change: every node (spec, labels, annotations) and every live pod (spec,
/// labels, annotations), serialised with the client's own JSON settings. Status and resourceVersion are left out:
/// they always move.
/// </summary>
public sealed record ClusterState(IReadOnlyDictionary<string, string> Nodes, IReadOnlyDictionary<string, string> Pods)
{
    /// <param name="client">The cluster.</param>
    /// <param name="withoutEphemeralContainers">Leave ephemeral containers out: Kubernetes never removes them, so a payload's stays.</param>
    public static async Task<ClusterState> CaptureAsync(IKubernetes client, bool withoutEphemeralContainers = false)
    {
        var nodes = await client.CoreV1.ListNodeAsync();
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync();
        if (withoutEphemeralContainers)
        {
            pods.Items.ToList().ForEach(p => p.Spec.EphemeralContainers = null);
        }

        return new ClusterState(
            nodes.Items.ToDictionary(n => n.Metadata.Name, n => KubernetesJson.Serialize(new { n.Spec, n.Metadata.Labels, n.Metadata.Annotations })),
            pods.Items.Where(p => p.Metadata.DeletionTimestamp is null)
                .ToDictionary(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}", p => KubernetesJson.Serialize(new { p.Spec, p.Metadata.Labels, p.Metadata.Annotations })));
    }

    /// <summary>Every difference with <paramref name="before"/> in the objects that exist in both (pods may come and go).</summary>
    public IReadOnlyList<string> DifferencesFrom(ClusterState before, bool podsMustSurvive = false)
    {
        var differences = new List<string>();
        foreach (var (name, json) in before.Nodes)
        {
            if (!Nodes.TryGetValue(name, out var now))
            {
                differences.Add($"node {name} is gone");
            }
            else if (now != json)
            {
                differences.Add($"node {name} changed:\n  before {json}\n  after  {now}");
            }
        }

        foreach (var (name, json) in before.Pods)
        {
            if (!Pods.TryGetValue(name, out var now))
            {
                if (podsMustSurvive)
                {
                    differences.Add($"pod {name} is gone");
                }
            }
            else if (now != json)
            {
                differences.Add($"pod {name} changed:\n  before {json}\n  after  {now}");
            }
        }

        return differences;
    }

    /// <summary>What chaos left: ledger labels or annotations anywhere, nodes changed since <paramref name="baseline"/>, pods running other images than their template.</summary>
    public static async Task<IReadOnlyList<string>> ResidueAsync(IKubernetes client, ClusterState baseline)
    {
        var residue = new List<string>();
        var now = await CaptureAsync(client);
        foreach (var (name, json) in now.Nodes.Concat(now.Pods))
        {
            if (json.Contains("chaos.testing/ledger", StringComparison.Ordinal))
            {
                residue.Add($"{name} carries a ledger mark");
            }
        }

        residue.AddRange(now.DifferencesFrom(baseline).Where(d => d.StartsWith("node", StringComparison.Ordinal)));
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync();
        foreach (var pod in pods.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Spec.Containers.Any(c => c.Image.Contains("pause", StringComparison.Ordinal))))
        {
            residue.Add($"pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} still runs a pause image");
        }

        return residue;
    }
}
