using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Cordon (ledger) + evictions through policy/v1 honouring PodDisruptionBudgets; recovery uncordons what it cordoned.</summary>
internal sealed class NodeDrainFault(NodeDrainOptions options) : IFault<V1Node>, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = new()
    {
        Name = "node-drain",
        Target = FaultTargetKind.Node,
        Mechanism = FaultMechanism.Write,
        OperatorAction = "node-drain",
        Permissions = [.. FaultPermission.Core("nodes", "update"), .. FaultPermission.Core("pods/eviction", "create")],
        Restore = NodeCordonFault.Restoration,
        Sample = t => t.Nodes.Drain(),
    };

    public string Verb => "drain";

    public string Name => Descriptor.Name;

    public string? OperatorAction => Descriptor.OperatorAction;

    public TimeSpan InjectTimeout => options.Timeout;

    public void Validate(ICollection<string> errors) => options.Validate(errors);

    /// <summary>Decides, before any write, which pods of each node would be evicted and which are skipped and why; refuses unmanaged pods unless allowed.</summary>
    public async Task CheckTargetsAsync(FaultContext context, IReadOnlyList<V1Node> nodes, SafetyOptions safety, CancellationToken cancellationToken)
    {
        var namespaceVerdicts = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var (evict, skipped) = await ClassifyAsync(context, node.Metadata.Name, safety, namespaceVerdicts, cancellationToken);
            var unmanaged = evict.Where(p => p.Metadata.OwnerReferences?.Any(o => o.Controller == true) != true).ToList();
            if (unmanaged.Count > 0 && !options.EvictUnmanagedPods)
            {
                throw new ChaosRefusedException(
                    $"Node {node.Metadata.Name} runs pods without a controller ({string.Join(", ", unmanaged.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"))}); "
                    + "a drain would delete them for good. Set Drain.EvictUnmanagedPods = true if that is intended (as kubectl drain --force), or pick another node. Nothing was changed.");
            }

            context.Recorder.Step("plan", $"drain {node.Metadata.Name}: {evict.Count} pod(s) to evict"
                + (skipped.Count > 0 ? $", skipped {string.Join(", ", skipped)}" : string.Empty));
        }
    }

    /// <summary>Cordons, then lists each node's pods again (the cordon stops new ones arriving) and evicts them all in parallel.</summary>
    public async Task InjectAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken)
    {
        await NodeCordonFault.CordonAsync(context, nodes, Descriptor.Name, cancellationToken);
        var work = new List<(string Node, V1Pod Pod)>();
        var namespaceVerdicts = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var (evict, _) = await ClassifyAsync(context, node.Metadata.Name, context.Safety, namespaceVerdicts, cancellationToken);
            foreach (var pod in evict)
            {
                if (pod.Metadata.OwnerReferences?.Any(o => o.Controller == true) != true && !options.EvictUnmanagedPods)
                {
                    // Scheduled between the plan and the cordon: never deleted for good without consent.
                    context.Recorder.Affected("Pod", pod.Metadata.NamespaceProperty, pod.Metadata.Name, $"not evicted from {node.Metadata.Name}: no controller (Drain.EvictUnmanagedPods is false)");
                    continue;
                }

                work.Add((node.Metadata.Name, pod));
            }
        }

        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            if (await EvictAsync(context, item.Node, item.Pod, ct) is { } failure)
            {
                failures.Add(failure);
            }
        });

        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException($"the drain did not finish: {string.Join("; ", failures.Order(StringComparer.Ordinal))}");
        }
    }

    public Task RecoverAsync(FaultContext context, IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken) =>
        NodeCordonFault.Restoration.RecoverAsync(context, nodes, cancellationToken);

    private static async Task<(List<V1Pod> Evict, List<string> Skipped)> ClassifyAsync(
        FaultContext context, string node, SafetyOptions safety, Dictionary<string, string?> namespaceVerdicts, CancellationToken cancellationToken)
    {
        var evict = new List<V1Pod>();
        var skipped = new List<string>();
        foreach (var pod in await ListPodsAsync(context, node, cancellationToken))
        {
            var why = await SkipReasonAsync(context, pod, safety, namespaceVerdicts, cancellationToken);
            if (why is null)
            {
                evict.Add(pod);
            }
            else if (why.Length > 0)
            {
                skipped.Add($"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} ({why})");
            }
        }

        return (evict, skipped);
    }

    /// <summary>Evicts one pod, retrying while a PodDisruptionBudget refuses (429) or the API is briefly unavailable, until the drain timeout.</summary>
    private async Task<string?> EvictAsync(FaultContext context, string node, V1Pod pod, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var name = pod.Metadata.Name;
        var eviction = new V1Eviction
        {
            ApiVersion = "policy/v1",
            Kind = "Eviction",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            DeleteOptions = new V1DeleteOptions
            {
                GracePeriodSeconds = options.GracePeriod is { } grace ? (long)grace.TotalSeconds : null,
                Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid },
            },
        };
        var deadline = context.Time.GetUtcNow() + options.Timeout;
        var delay = TimeSpan.FromMilliseconds(50);
        var refusals = 0;
        string? lastRefusal = null;
        while (true)
        {
            try
            {
                await context.Api.SendOnceAsync("create", "pods/eviction", ns,
                    ct => context.Client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, name, ns, cancellationToken: ct), cancellationToken);
                context.Recorder.Affected("Pod", ns, name, refusals == 0 ? $"evicted from {node}" : $"evicted from {node} after {refusals} refusal(s) by its disruption budget");
                return null;
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex) || ApiCalls.IsTransient(ex) || ApiCalls.IsConflict(ex) || IsNamespaceTerminating(ex))
            {
                if (IsNamespaceTerminating(ex) && !await LiveAsync(context, pod, cancellationToken))
                {
                    // As kubectl drain: its namespace is being deleted and the pod is going (or gone) with it; until then, retry.
                    context.Recorder.Affected("Pod", ns, name, $"not evicted from {node}: its namespace {ns} is being terminated, the pod goes with it");
                    return null;
                }

                if (ApiCalls.IsNotFound(ex) || (ApiCalls.IsConflict(ex) && !await ExistsAsync(context, pod, cancellationToken)))
                {
                    // Gone already, or replaced by a newer pod of the same name: nothing to evict.
                    context.Recorder.Affected("Pod", ns, name, "already gone");
                    return null;
                }

                if (ApiCalls.IsStatus(ex, HttpStatusCode.TooManyRequests))
                {
                    refusals++;
                    lastRefusal = RefusalReason((ex as k8s.Autorest.HttpOperationException)?.Response?.Content);
                }

                if (context.Time.GetUtcNow() + delay > deadline)
                {
                    return $"pod {ns}/{name} on {node} could not be evicted within {options.Timeout.TotalSeconds:0.###}s (Drain.Timeout): "
                        + (refusals > 0 ? $"refused {refusals} time(s) with 429, its PodDisruptionBudget allows no disruption ({lastRefusal ?? "no details"})" : ex.Message)
                        + ". Raise Drain.Timeout, or relax the budget";
                }

                await Task.Delay(delay, context.Time, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
            }
        }
    }

    /// <summary>The NamespaceLifecycle refusal (as sent, or as the API call wrapped it): 403 with the cause <c>NamespaceTerminating</c>, which kubectl drain looks for too.</summary>
    internal static bool IsNamespaceTerminating(Exception ex) =>
        (ex as k8s.Autorest.HttpOperationException ?? (ex as ChaosRefusedException)?.InnerException as k8s.Autorest.HttpOperationException)
            is { Response.StatusCode: HttpStatusCode.Forbidden } http
        && RefusalCauses(http.Response.Content).Contains("NamespaceTerminating", StringComparer.Ordinal);

    /// <summary>Whether <paramref name="pod"/> still exists and is not being deleted (a terminating namespace's pods get deleted; until then kubectl retries).</summary>
    private static async Task<bool> LiveAsync(FaultContext context, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            var current = await context.Api.CallAsync("get", "pods", pod.Metadata.NamespaceProperty,
                ct => context.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct), cancellationToken);
            return current.Metadata.Uid == pod.Metadata.Uid && current.Metadata.DeletionTimestamp is null;
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            return false;
        }
    }

    private static IEnumerable<string> RefusalCauses(string? content)
    {
        try
        {
            return string.IsNullOrWhiteSpace(content)
                ? []
                : KubernetesJson.Deserialize<V1Status>(content)?.Details?.Causes?.Select(c => c.Reason ?? string.Empty) ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    private static async Task<bool> ExistsAsync(FaultContext context, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            var current = await context.Api.CallAsync("get", "pods", pod.Metadata.NamespaceProperty,
                ct => context.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct), cancellationToken);
            return current.Metadata.Uid == pod.Metadata.Uid;
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            return false;
        }
    }

    internal static async Task<IReadOnlyList<V1Pod>> ListPodsAsync(FaultContext context, string node, CancellationToken cancellationToken)
    {
        var list = await context.Api.CallAsync("list", "pods", null,
            ct => context.Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={node}", cancellationToken: ct), cancellationToken);
        return list.Items.OrderBy(p => p.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Null to evict; empty to skip silently (already leaving); otherwise why the pod is skipped.</summary>
    private static async Task<string?> SkipReasonAsync(FaultContext context, V1Pod pod, SafetyOptions safety, Dictionary<string, string?> namespaceVerdicts, CancellationToken cancellationToken)
    {
        if (pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return string.Empty;
        }

        if (pod.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Kind == "DaemonSet") == true)
        {
            return "DaemonSet";
        }

        if (pod.Metadata.Annotations?.ContainsKey("kubernetes.io/config.mirror") == true)
        {
            return "mirror pod";
        }

        return await WhyProtectedAsync(context, pod, safety, namespaceVerdicts, cancellationToken);
    }

    /// <summary>Why the safety guards keep <paramref name="pod"/> out of every experiment (exclusion label, protected or production namespace), or null.</summary>
    internal static async Task<string?> WhyProtectedAsync(FaultContext context, V1Pod pod, SafetyOptions safety, Dictionary<string, string?> namespaceVerdicts, CancellationToken cancellationToken)
    {
        if (pod.Metadata.Labels?.TryGetValue(SafetyOptions.ExclusionLabel, out var excluded) == true && excluded == "true")
        {
            return $"labelled {SafetyOptions.ExclusionLabel}=true";
        }

        var ns = pod.Metadata.NamespaceProperty;
        if (!namespaceVerdicts.TryGetValue(ns, out var verdict))
        {
            try
            {
                await Planner.GuardNamespaceAsync(ns, context.Client, context.Api, safety, cancellationToken);
                verdict = null;
            }
            catch (ChaosRefusedException refused) when (refused.InnerException is not k8s.Autorest.HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden })
            {
                verdict = safety.ProtectedNamespaces.Contains(ns) ? "protected namespace" : "namespace guarded by the safety options";
            }

            namespaceVerdicts[ns] = verdict;
        }

        return verdict;
    }

    /// <summary>The API server's words for a refused eviction: the Status causes (which name the budget), else its message.</summary>
    internal static string? RefusalReason(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(content);
            var causes = status?.Details?.Causes?.Select(c => c.Message).Where(m => !string.IsNullOrEmpty(m)).ToList();
            return causes is { Count: > 0 } ? string.Join("; ", causes) : status?.Message ?? content;
        }
        catch (System.Text.Json.JsonException)
        {
            return content.Length > 200 ? content[..200] + "..." : content;
        }
    }
}
