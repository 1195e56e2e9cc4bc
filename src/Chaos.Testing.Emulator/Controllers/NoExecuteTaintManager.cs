using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// The NoExecute taint manager: a pod on a node with a NoExecute taint it does not tolerate is evicted at once; one
/// that tolerates it for <c>tolerationSeconds</c> only is evicted once they have passed.
/// </summary>
internal sealed class NoExecuteTaintManager : IController
{
    private readonly ResourceStore _store;
    private readonly ControllerTimers _timers;
    private readonly EventRecorder _events;

    public NoExecuteTaintManager(ResourceStore store, ControllerTimers timers, EventRecorder events)
    {
        _store = store;
        _timers = timers;
        _events = events;
    }

    public string Name => "taint-eviction";

    public void Reconcile(DateTimeOffset now)
    {
        var failures = new ObjectFailures(Name);
        var (nodes, _) = _store.List(ResourceTypes.Nodes, null, n => (n.Node["spec"]?["taints"] as JsonArray ?? []).Any(t => t?["effect"]?.ToString() == "NoExecute"));
        foreach (var node in nodes)
        {
            var (pods, _) = _store.List(ResourceTypes.Pods, null, p => PodLifecycle.NodeOf(p) == node.Name && !p.Terminating);
            foreach (var pod in pods)
            {
                failures.Run(pod, () => Reconcile(node, pod, now));
            }
        }

        failures.ThrowIfAny();
    }

    private void Reconcile(StoredObject node, StoredObject pod, DateTimeOffset now)
    {
        var tolerations = (pod.Node["spec"]?["tolerations"] as JsonArray ?? []).ToList();
        var taint = Scheduling.UntoleratedTaint(node, tolerations, includeUnschedulable: false, noExecuteOnly: true);
        if (taint is not null)
        {
            Evict(pod);
            return;
        }

        // Tolerated for a while only: evict once tolerationSeconds have passed.
        var limited = (node.Node["spec"]?["taints"] as JsonArray ?? [])
            .Where(t => t?["effect"]?.ToString() == "NoExecute")
            .Select(t => tolerations.Where(x => Scheduling.Tolerates(x, t)).Select(x => x?["tolerationSeconds"]?.ToInt64()).ToList())
            .Where(seconds => seconds.Count > 0 && seconds.All(s => s is not null))
            .Select(seconds => seconds.Max()!.Value)
            .ToList();
        if (limited.Count > 0 && _timers.IsDue($"noexecute:{pod.Uid}", TimeSpan.FromSeconds(limited.Min()), now))
        {
            Evict(pod);
        }
    }

    private void Evict(StoredObject pod)
    {
        _events.Normal(pod, "taint-eviction-controller", "TaintManagerEviction", $"Marking for deletion Pod {pod.Namespace}/{pod.Name}");
        PodLifecycle.DeleteGracefully(_store, pod);
    }
}
