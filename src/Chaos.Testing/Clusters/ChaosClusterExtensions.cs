using System.Net;
using System.Text.RegularExpressions;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Manifests, readiness and per-test namespaces on any <see cref="IChaosCluster"/>.</summary>
public static partial class ChaosClusterExtensions
{
    private static readonly Dictionary<string, (string Group, string Version, string Plural, bool Namespaced)> Kinds = new(StringComparer.Ordinal)
    {
        ["v1/Namespace"] = (string.Empty, "v1", "namespaces", false),
        ["v1/Pod"] = (string.Empty, "v1", "pods", true),
        ["v1/Service"] = (string.Empty, "v1", "services", true),
        ["v1/ConfigMap"] = (string.Empty, "v1", "configmaps", true),
        ["v1/Secret"] = (string.Empty, "v1", "secrets", true),
        ["v1/ServiceAccount"] = (string.Empty, "v1", "serviceaccounts", true),
        ["apps/v1/Deployment"] = ("apps", "v1", "deployments", true),
        ["apps/v1/StatefulSet"] = ("apps", "v1", "statefulsets", true),
        ["apps/v1/DaemonSet"] = ("apps", "v1", "daemonsets", true),
        ["policy/v1/PodDisruptionBudget"] = ("policy", "v1", "poddisruptionbudgets", true),
        ["networking.k8s.io/v1/NetworkPolicy"] = ("networking.k8s.io", "v1", "networkpolicies", true),
    };

    /// <summary>
    /// Creates the objects of a YAML document (several separated by <c>---</c>), in order, through the API. An object
    /// that exists already is replaced. Namespaced objects go to <paramref name="namespace"/> when given (overriding
    /// theirs), else to their own, else to <c>default</c>.
    /// </summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="yaml">The manifests.</param>
    /// <param name="namespace">The namespace to put namespaced objects in, or null.</param>
    /// <param name="cancellationToken">Cancels between objects.</param>
    /// <returns>The applied objects as <c>Kind/namespace/name</c>.</returns>
    public static async Task<IReadOnlyList<string>> ApplyAsync(this IChaosCluster cluster, string yaml, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(yaml);
        var applied = new List<string>();
        foreach (var obj in KubernetesYaml.LoadAllFromString(yaml))
        {
            if (obj is not IKubernetesObject<V1ObjectMeta> item)
            {
                throw new ArgumentException($"a document of the YAML is not a Kubernetes object ({obj?.GetType().Name ?? "empty"})", nameof(yaml));
            }

            var key = $"{item.ApiVersion}/{item.Kind}";
            if (!Kinds.TryGetValue(key, out var kind))
            {
                throw new ArgumentException($"{key} is not supported by ApplyAsync; supported: {string.Join(", ", Kinds.Keys)}", nameof(yaml));
            }

            var ns = kind.Namespaced ? @namespace ?? item.Metadata.NamespaceProperty ?? "default" : null;
            if (ns is not null)
            {
                item.Metadata.NamespaceProperty = ns;
            }

            using var generic = new GenericClient(cluster.Client, kind.Group, kind.Version, kind.Plural, disposeClient: false);
            try
            {
                await CreateAsync(generic, (dynamic)item, ns, cancellationToken);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict && kind.Plural != "namespaces")
            {
                // Exists: replace it with this version (what `kubectl apply` would end with for these objects).
                // Controllers write status meanwhile, so a stale version is re-read and the replace tried again.
                for (var attempt = 1; ; attempt++)
                {
                    var current = ns is null
                        ? await generic.ReadAsync<ObjectMetadataOnly>(item.Metadata.Name, cancellationToken)
                        : await generic.ReadNamespacedAsync<ObjectMetadataOnly>(ns, item.Metadata.Name, cancellationToken);
                    item.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
                    try
                    {
                        await ReplaceAsync(generic, (dynamic)item, ns, cancellationToken);
                        break;
                    }
                    catch (HttpOperationException conflict) when (conflict.Response.StatusCode == HttpStatusCode.Conflict && attempt < 10)
                    {
                        // Someone wrote in between: read the new version and try again.
                    }
                }
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // The namespace exists already: nothing to change.
            }
            catch (HttpOperationException ex)
            {
                throw new InvalidOperationException($"The API rejected {item.Kind} {(ns is null ? string.Empty : ns + "/")}{item.Metadata.Name}: {ex.Response.Content}", ex);
            }

            applied.Add($"{item.Kind}/{(ns is null ? string.Empty : ns + "/")}{item.Metadata.Name}");
        }

        return applied;
    }

    /// <summary>
    /// Waits until every Deployment, StatefulSet and DaemonSet of the namespace is fully Ready, and every pod without an
    /// owner too. A Deployment is Ready as <c>kubectl rollout status</c> says: its latest spec observed, every replica
    /// updated, no old replica left and all available.
    /// </summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="namespace">The namespace.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when all are Ready.</returns>
    /// <exception cref="TimeoutException">Something was not Ready in time; the message lists what.</exception>
    public static async Task WaitForReadyAsync(this IChaosCluster cluster, string @namespace, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        List<string> waiting = [];
        try
        {
            while (true)
            {
                waiting = await NotReadyAsync(cluster.Client, @namespace, deadline.Token);
                if (waiting.Count == 0)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (waiting.Count == 0)
            {
                // The deadline fell during the first look (a slow or loaded server): look once more to say what waits.
                waiting = await LastLookAsync(cluster.Client, @namespace, cancellationToken);
                if (waiting.Count == 0)
                {
                    return;
                }
            }

            throw new TimeoutException($"Not Ready in namespace \"{@namespace}\" after {timeout.TotalSeconds:0.#}s: {string.Join("; ", waiting)}");
        }
    }

    private static async Task<List<string>> LastLookAsync(IKubernetes client, string ns, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return await NotReadyAsync(client, ns, bound.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ["the API server did not list the namespace's workloads in time"];
        }
    }

    /// <summary>Creates a namespace for one test, named from <paramref name="testName"/> plus a random suffix; dispose the result to delete it.</summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="testName">The test's name (it is shortened and made DNS-safe).</param>
    /// <param name="keep">Keeps the namespace after the test, for debugging.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The namespace; disposing it deletes it unless <paramref name="keep"/>.</returns>
    public static async Task<TestNamespace> CreateTestNamespaceAsync(this IChaosCluster cluster, string testName, bool keep = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var stem = NotDns().Replace((testName ?? "test").ToLowerInvariant(), "-").Trim('-');
        stem = stem.Length == 0 ? "test" : stem[..Math.Min(stem.Length, 40)].TrimEnd('-');
        var name = $"chaos-{stem}-{Guid.NewGuid().ToString("N")[..5]}";
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: cancellationToken);
        return new TestNamespace(cluster, name, keep);
    }

    // The generic client answers with the type it is given: dispatch on the object's concrete model type.
    private static Task<T> CreateAsync<T>(GenericClient generic, T item, string? ns, CancellationToken cancellationToken)
        where T : IKubernetesObject =>
        ns is null ? generic.CreateAsync(item, cancellationToken) : generic.CreateNamespacedAsync(item, ns, cancellationToken);

    private static Task<T> ReplaceAsync<T>(GenericClient generic, T item, string? ns, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta> =>
        ns is null
            ? generic.ReplaceAsync(item, item.Metadata.Name, cancellationToken)
            : generic.ReplaceNamespacedAsync(item, ns, item.Metadata.Name, cancellationToken);

    private static async Task<List<string>> NotReadyAsync(IKubernetes client, string ns, CancellationToken cancellationToken)
    {
        var waiting = new List<string>();
        foreach (var d in (await client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: cancellationToken)).Items)
        {
            // As `kubectl rollout status`: the latest spec seen, every replica updated, no old one left, all available.
            var (want, status) = (d.Spec.Replicas ?? 1, d.Status);
            var (updated, total, available) = (status?.UpdatedReplicas ?? 0, status?.Replicas ?? 0, status?.AvailableReplicas ?? 0);
            var why = (status?.ObservedGeneration ?? 0) < (d.Metadata.Generation ?? 0) ? $" (generation {d.Metadata.Generation} not yet observed)"
                : updated < want ? $" ({updated}/{want} updated)"
                : total > updated ? $" ({total - updated} old replica(s) pending termination)"
                : available < want ? string.Empty
                : null;
            if (why is not null)
            {
                waiting.Add($"deployment {d.Metadata.Name} {available}/{want} available{why}");
            }
        }

        foreach (var s in (await client.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: cancellationToken)).Items)
        {
            var want = s.Spec.Replicas ?? 1;
            if ((s.Status?.ReadyReplicas ?? 0) < want)
            {
                waiting.Add($"statefulset {s.Metadata.Name} {s.Status?.ReadyReplicas ?? 0}/{want} ready");
            }
        }

        foreach (var ds in (await client.AppsV1.ListNamespacedDaemonSetAsync(ns, cancellationToken: cancellationToken)).Items)
        {
            if (ds.Status is null || ds.Status.NumberReady < ds.Status.DesiredNumberScheduled || ds.Status.DesiredNumberScheduled == 0)
            {
                waiting.Add($"daemonset {ds.Metadata.Name} {ds.Status?.NumberReady ?? 0}/{ds.Status?.DesiredNumberScheduled ?? 0} ready");
            }
        }

        foreach (var p in (await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancellationToken)).Items.Where(p => p.Metadata.OwnerReferences is null or { Count: 0 }))
        {
            if (!p.IsReady())
            {
                waiting.Add($"pod {p.Metadata.Name} {p.Status?.Phase ?? "Pending"}");
            }
        }

        return waiting;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotDns();
}
