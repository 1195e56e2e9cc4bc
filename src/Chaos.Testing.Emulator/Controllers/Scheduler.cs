using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// The scheduler: binds each pending pod to the least loaded node it fits (ready, selector and affinity match, taints
/// tolerated), or marks it Unschedulable with the scheduler's message counting why each node was left out.
/// </summary>
internal sealed class Scheduler : IController
{
    private readonly ResourceStore _store;
    private readonly TimeProvider _time;
    private readonly EventRecorder _events;

    public Scheduler(ResourceStore store, TimeProvider time, EventRecorder events)
    {
        _store = store;
        _time = time;
        _events = events;
    }

    public string Name => "scheduler";

    public void Reconcile(DateTimeOffset now)
    {
        var (pending, _) = _store.List(ResourceTypes.Pods, null, p => !p.Terminating && string.IsNullOrEmpty(PodLifecycle.NodeOf(p)));
        if (pending.Count == 0)
        {
            return;
        }

        var (nodes, _) = _store.List(ResourceTypes.Nodes, null);
        var (pods, _) = _store.List(ResourceTypes.Pods, null, p => !string.IsNullOrEmpty(PodLifecycle.NodeOf(p)) && PodLifecycle.IsActive(p));
        var load = nodes.ToDictionary(n => n.Name, n => pods.Count(p => PodLifecycle.NodeOf(p) == n.Name), StringComparer.Ordinal);
        var failures = new ObjectFailures(Name);
        foreach (var pod in pending)
        {
            failures.Run(pod, () => Schedule(pod, nodes, load, failures));
        }

        failures.ThrowIfAny();
    }

    private void Schedule(StoredObject pod, IReadOnlyList<StoredObject> nodes, Dictionary<string, int> load, ObjectFailures failures)
    {
        var spec = pod.Node["spec"]!;
        var tolerations = (spec["tolerations"] as JsonArray ?? []).ToList();
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        var candidates = new List<StoredObject>();
        foreach (var node in nodes)
        {
            if (Unfit(spec, node, tolerations, failures) is { } reason)
            {
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
            else
            {
                candidates.Add(node);
            }
        }

        if (candidates.Count == 0)
        {
            var message = $"0/{nodes.Count} nodes are available: "
                + string.Join(", ", reasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} {r.Key}")) + ".";
            var marked = _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
            {
                var existing = o["status"]?["conditions"] as JsonArray;
                var condition = ObjectStatus.PodCondition(_time, existing, "PodScheduled", false, "Unschedulable", message);
                return ObjectStatus.SetPodConditions(o, [condition]);
            });
            if (marked is not null && marked.ResourceVersion != pod.ResourceVersion)
            {
                _events.Warning(pod, "default-scheduler", "FailedScheduling", message);
            }

            return;
        }

        var chosen = candidates.OrderBy(n => load[n.Name]).ThenBy(n => n.Name, StringComparer.Ordinal).First();
        load[chosen.Name]++;
        var bound = _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            if (!string.IsNullOrEmpty(o["spec"]?["nodeName"]?.ToString()))
            {
                return false;
            }

            o["spec"]!["nodeName"] = chosen.Name;
            var existing = o["status"]?["conditions"] as JsonArray;
            ObjectStatus.SetPodConditions(o, [ObjectStatus.PodCondition(_time, existing, "PodScheduled", true, null, null)]);
            return true;
        });
        if (bound is not null && bound.ResourceVersion != pod.ResourceVersion)
        {
            _events.Normal(pod, "default-scheduler", "Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to {chosen.Name}");
        }
    }

    /// <summary>Why the pod does not fit the node, in the scheduler's words, or null when it fits.</summary>
    private static string? Unfit(JsonNode spec, StoredObject node, List<JsonNode?> tolerations, ObjectFailures failures)
    {
        try
        {
            return Unfit(spec, node, tolerations);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A node the scheduler cannot read takes no pods; the other nodes still do.
            failures.Record(node, ex);
            return "node(s) could not be read";
        }
    }

    private static string? Unfit(JsonNode spec, StoredObject node, List<JsonNode?> tolerations)
    {
        if (!Scheduling.IsNodeReady(node))
        {
            return "node(s) were not ready";
        }

        if (!Scheduling.NodeSelectorMatches(spec, node))
        {
            return "node(s) didn't match Pod's node affinity/selector";
        }

        if (Scheduling.UntoleratedTaint(node, tolerations, includeUnschedulable: true) is { } taint)
        {
            return taint["key"]!.ToString() == Scheduling.UnschedulableTaintKey
                ? "node(s) were unschedulable"
                : $"node(s) had untolerated taint {{{taint["key"]}: {taint["value"]}}}";
        }

        return null;
    }
}
