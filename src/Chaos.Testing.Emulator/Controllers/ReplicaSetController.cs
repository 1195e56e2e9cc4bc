using System.Globalization;
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
/// ReplicaSet controller ranks them). A pod counts as available once Ready for the set's minReadySeconds.
/// </summary>
internal sealed class ReplicaSetController : IController
{
    private readonly ResourceStore _store;
    private readonly Admission _admission;
    private readonly EventRecorder _events;
    private readonly ControllerTimers? _timers;

    public ReplicaSetController(ResourceStore store, Admission admission, EventRecorder events, ControllerTimers? timers = null)
    {
        _store = store;
        _admission = admission;
        _events = events;
        _timers = timers;
    }

    public string Name => "replicaset";

    public void Reconcile(DateTimeOffset now)
    {
        var (sets, _) = _store.List(ResourceTypes.ReplicaSets, null, rs => !rs.Terminating);
        ObjectFailures.ForEach(Name, sets, rs => Reconcile(rs, now));
    }

    private void Reconcile(StoredObject rs, DateTimeOffset now)
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
        var minReady = TimeSpan.FromSeconds(rs.Node["spec"]!["minReadySeconds"]?.ToInt64() ?? 0);
        var available = active.Count(p => IsAvailable(p, minReady, now));
        var labels = rs.Node["spec"]!["template"]?["metadata"]?["labels"];
        _store.Mutate(ResourceTypes.ReplicaSets, rs.Namespace, rs.Name, o => ObjectStatus.Set(o, new JsonObject
        {
            ["replicas"] = active.Count,
            ["fullyLabeledReplicas"] = active.Count(p => SelectorMatcher.Matches(new JsonObject { ["matchLabels"] = labels?.DeepClone() }, p.Labels)),
            ["readyReplicas"] = ready,
            ["availableReplicas"] = available,
            ["observedGeneration"] = o["metadata"]!["generation"]!.DeepClone(),
        }));
    }

    // Available: Ready for minReadySeconds, by the Ready condition's transition time (whole seconds, as the API keeps it).
    // Until then a wake-up is armed, since nothing in the store changes when the time is up.
    private bool IsAvailable(StoredObject pod, TimeSpan minReady, DateTimeOffset now)
    {
        if (!Admission.IsPodReady(pod) || minReady <= TimeSpan.Zero)
        {
            return Admission.IsPodReady(pod);
        }

        var ready = (pod.Node["status"]?["conditions"] as JsonArray ?? []).FirstOrDefault(c => c?["type"]?.ToString() == "Ready")?["lastTransitionTime"]?.ToString();
        if (!DateTimeOffset.TryParse(ready, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
        {
            return false;
        }

        _timers?.WakeAt(since + minReady, now);
        return since + minReady <= now;
    }
}
