using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>The waits controller tests need, each with a deadline and a clear failure message.</summary>
public static class ClusterWaits
{
    public static bool IsReady(this V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static bool IsTerminating(this V1Pod pod) => pod.Metadata.DeletionTimestamp is not null;

    /// <summary>The pods of a namespace that are not being deleted.</summary>
    public static async Task<IReadOnlyList<V1Pod>> ActivePodsAsync(this IKubernetes client, string ns, string? labelSelector = null) =>
        (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector)).Items.Where(p => !p.IsTerminating()).ToList();

    public static Task<V1Pod> WaitForPodAsync(this IKubernetes client, string ns, string name, Func<V1Pod, bool> accept, string description) =>
        Eventually.MatchAsync(() => client.CoreV1.ReadNamespacedPodAsync(name, ns), accept, $"pod {ns}/{name} {description}");

    public static Task<V1Pod> WaitForPodReadyAsync(this IKubernetes client, string ns, string name) =>
        client.WaitForPodAsync(ns, name, IsReady, "is Ready");

    public static Task<V1Pod> WaitForPodRunningAsync(this IKubernetes client, string ns, string name) =>
        client.WaitForPodAsync(ns, name, p => p.Status?.Phase == "Running", "is Running");

    /// <summary>Waits until the Deployment reports <paramref name="replicas"/> available replicas and exactly that many ready pods run.</summary>
    public static async Task<V1Deployment> WaitForDeploymentAvailableAsync(this IKubernetes client, string ns, string name, int replicas)
    {
        var deployment = await Eventually.MatchAsync(
            () => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns),
            d => d.Status?.AvailableReplicas == replicas && d.Status.Replicas == replicas,
            $"deployment {ns}/{name} has {replicas} available replicas",
            describe: d => $"status {KubernetesJson.Serialize(d.Status)}");
        await Eventually.MatchAsync(
            () => client.ActivePodsAsync(ns, $"app={name}"),
            pods => pods.Count == replicas && pods.All(IsReady),
            $"deployment {ns}/{name} runs {replicas} ready pods",
            describe: DescribePods);
        return deployment;
    }

    public static string DescribePods(IEnumerable<V1Pod> pods) =>
        "[" + string.Join(", ", pods.Select(p =>
            $"{p.Metadata.Name} node={p.Spec.NodeName ?? "-"} phase={p.Status?.Phase} ready={p.IsReady()}{(p.IsTerminating() ? " terminating" : string.Empty)}")) + "]";
}
