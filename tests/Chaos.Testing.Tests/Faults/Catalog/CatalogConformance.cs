using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults.Catalog;

/// <summary>
/// What the conformance theories share: every fault of the catalog by name, its sample on the shop cluster, and what
/// "the cluster as found" means when ephemeral containers cannot be removed (Kubernetes keeps them in the pod spec).
/// </summary>
internal static class CatalogConformance
{
    public static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var fault in FaultCatalog.All)
        {
            data.Add(fault.Name);
        }

        return data;
    }

    public static FaultDescriptor Fault(string name) => FaultCatalog.Find(name) ?? throw new ArgumentException($"no fault {name}");

    /// <summary>The fault's sample on one cart pod, or one node, seeded.</summary>
    public static ChaosExperiment Sample(string name, int seed) =>
        Fault(name).Sample(new FaultSampleTargets(Experiment.On(Cart).WithSeed(seed), Experiment.On(Nodes.All()).WithSeed(seed), Cart));

    /// <summary>The janitor's options for the samples: the custom sample's recovery is registered under its name.</summary>
    public static SweepOptions SweepOptions(bool force = false) =>
        new SweepOptions { Force = force }.RecoverCustom("sample", (_, _) => Task.CompletedTask);

    /// <summary>
    /// What a run left: ledger marks, nodes changed, pods on a pause image, payload containers still running, payload
    /// pods still present, and pods changed other than by their (irremovable) ephemeral containers.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ResidueAsync(IKubernetes client, ClusterState baseline)
    {
        var residue = (await ClusterState.ResidueAsync(client, baseline)).ToList();
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync();
        foreach (var pod in pods.Items.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            var running = pod.Status?.EphemeralContainerStatuses?.Where(s => s.State?.Running is not null || s.State?.Waiting is not null).Select(s => s.Name).ToList() ?? [];
            if (running.Count > 0)
            {
                residue.Add($"pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} still runs payload {string.Join(", ", running)}");
            }

            if (pod.Metadata.Name.StartsWith("chaos-", StringComparison.Ordinal))
            {
                residue.Add($"payload pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} is still there");
            }
        }

        var now = await ClusterState.CaptureAsync(client, withoutEphemeralContainers: true);
        residue.AddRange(now.DifferencesFrom(baseline).Where(d => d.StartsWith("pod", StringComparison.Ordinal)));
        return residue;
    }

    /// <summary>Whether every write in <paramref name="writes"/> is allowed by the fault's permissions or the engine's.</summary>
    public static IReadOnlyList<string> Unpermitted(FaultDescriptor fault, IEnumerable<AuditEntry> writes)
    {
        var allowed = fault.RequiredPermissions;
        return writes
            .Where(w => !allowed.Any(p => p.Verb == w.Verb && p.Resource == w.Resource && p.Subresource == w.Subresource))
            .Select(w => $"{w.Verb} {w.Resource}{(w.Subresource is null ? string.Empty : "/" + w.Subresource)} {w.Namespace}/{w.Name}")
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    public static Task<V1PodList> CartPodsAsync(IKubernetes client) => client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "app=cart");
}
