using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// ReplicaSets: as many active pods as replicas; extra pods are deleted unready first, then newest first (as the
/// ReplicaSet controller ranks them).
/// </summary>
internal sealed class ReplicaSetController : IController
{
    private readonly ResourceStore _store;
    private readonly Admission _admission;
    private readonly EventRecorder _events;

    public ReplicaSetController(ResourceStore store, Admission admission, EventRecorder events)
    {
        _store = store;
        _admission = admission;
        _events = events;
    }

    public string Name => "replicaset";

    public void Reconcile(DateTimeOffset now)
    {
        var (sets, _) = _store.List(ResourceTypes.ReplicaSets, null, rs => !rs.Terminating);
        ObjectFailures.ForEach(Name, sets, Reconcile);
    }

    private void Reconcile(StoredObject rs)
    {
        var replicas = rs.Node["spec"]!["replicas"]?.ToInt32() ?? 1;
        var (pods, _) = _store.List(ResourceTypes.Pods, rs.Namespace, p => Workloads.IsControlledBy(p, rs));
        var active = pods.Where(PodLifecycle.IsActive).ToList();
        for (var i = active.Count; i < replicas; i++)
        {
            var pod = Workloads.PodFromTemplate(rs, $"{rs.Name}-", null);
            Workloads.CreateChild(_store, _admission, ResourceTypes.Pods, pod);
            if (pod["metadata"]?["name"] is { } name)
            {
                _events.Normal(rs, "replicaset-controller", "SuccessfulCreate", $"Created pod: {name}");
            }
        }

        foreach (var extra in active.OrderBy(Admission.IsPodReady).ThenByDescending(p => p.ResourceVersion).Take(Math.Max(0, active.Count - replicas)))
        {
            PodLifecycle.DeleteGracefully(_store, extra);
            _events.Normal(rs, "replicaset-controller", "SuccessfulDelete", $"Deleted pod: {extra.Name}");
        }

        var ready = active.Count(Admission.IsPodReady);
        var labels = rs.Node["spec"]!["template"]?["metadata"]?["labels"];
        _store.Mutate(ResourceTypes.ReplicaSets, rs.Namespace, rs.Name, o => ObjectStatus.Set(o, new JsonObject
        {
            ["replicas"] = active.Count,
            ["fullyLabeledReplicas"] = active.Count(p => SelectorMatcher.Matches(new JsonObject { ["matchLabels"] = labels?.DeepClone() }, p.Labels)),
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["observedGeneration"] = o["metadata"]!["generation"]!.DeepClone(),
        }));
    }
}
