using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// DaemonSets: one pod bound to each eligible node (selector matches, taints tolerated, with the tolerations the
/// DaemonSet controller adds), none on the others.
/// </summary>
internal sealed class DaemonSetController : IController
{
    private static readonly JsonObject[] DaemonSetTolerations =
        new[] { "not-ready", "unreachable", "disk-pressure", "memory-pressure", "pid-pressure", "unschedulable" }
            .Select(key => new JsonObject
            {
                ["key"] = $"node.kubernetes.io/{key}",
                ["operator"] = "Exists",
                ["effect"] = key is "not-ready" or "unreachable" ? "NoExecute" : "NoSchedule",
            })
            .ToArray();

    private readonly ResourceStore _store;
    private readonly Admission _admission;

    public DaemonSetController(ResourceStore store, Admission admission)
    {
        _store = store;
        _admission = admission;
    }

    public string Name => "daemonset";

    public void Reconcile(DateTimeOffset now)
    {
        var (sets, _) = _store.List(ResourceTypes.DaemonSets, null, s => !s.Terminating);
        if (sets.Count == 0)
        {
            return;
        }

        var (nodes, _) = _store.List(ResourceTypes.Nodes, null);
        ObjectFailures.ForEach(Name, sets, set => Reconcile(set, nodes));
    }

    private void Reconcile(StoredObject set, IReadOnlyList<StoredObject> nodes)
    {
        var templateSpec = set.Node["spec"]!["template"]!["spec"]!;
        var tolerations = (templateSpec["tolerations"] as JsonArray ?? []).Concat(DaemonSetTolerations).ToList();
        var eligible = nodes.Where(n => !n.Terminating
                                        && Scheduling.NodeSelectorMatches(templateSpec, n)
                                        && Scheduling.UntoleratedTaint(n, tolerations, includeUnschedulable: false) is null)
            .Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var (pods, _) = _store.List(ResourceTypes.Pods, set.Namespace, p => Workloads.IsControlledBy(p, set));
        var active = pods.Where(PodLifecycle.IsActive).ToList();
        foreach (var node in eligible.Where(n => !active.Any(p => PodLifecycle.NodeOf(p) == n)))
        {
            var pod = Workloads.PodFromTemplate(set, $"{set.Name}-", null);
            pod["spec"]!["nodeName"] = node;
            var podTolerations = pod["spec"]!["tolerations"] as JsonArray ?? [];
            foreach (var toleration in DaemonSetTolerations.Where(t => !podTolerations.Any(p => p?["key"]?.ToString() == t["key"]!.ToString())))
            {
                podTolerations.Add(toleration.DeepClone());
            }

            pod["spec"]!.AsObject().Put("tolerations", podTolerations);
            Workloads.CreateChild(_store, _admission, ResourceTypes.Pods, pod);
        }

        foreach (var pod in active.Where(p => !eligible.Contains(PodLifecycle.NodeOf(p))))
        {
            PodLifecycle.DeleteGracefully(_store, pod);
        }

        var scheduled = active.Where(p => eligible.Contains(PodLifecycle.NodeOf(p))).ToList();
        var ready = scheduled.Count(Admission.IsPodReady);
        _store.Mutate(ResourceTypes.DaemonSets, set.Namespace, set.Name, o => ObjectStatus.Set(o, new JsonObject
        {
            ["currentNumberScheduled"] = scheduled.Count,
            ["desiredNumberScheduled"] = eligible.Count,
            ["numberMisscheduled"] = active.Count - scheduled.Count,
            ["numberReady"] = ready,
            ["numberAvailable"] = ready,
            ["updatedNumberScheduled"] = scheduled.Count,
            ["observedGeneration"] = o["metadata"]!["generation"]!.DeepClone(),
        }));
    }
}
