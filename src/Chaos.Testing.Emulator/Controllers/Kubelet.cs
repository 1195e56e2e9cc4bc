using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// The kubelet of every node: starts bound pods (after <see cref="KubeletSettings.PodStartDelay"/>), makes
/// them ready (after <see cref="KubeletSettings.PodReadyDelay"/>), restarts containers whose image changed,
/// starts ephemeral containers and ends terminating pods. No process runs: what payloads do is
/// <see cref="PayloadSimulation"/>'s. It also removes pods bound to a node that no longer exists (pod garbage collection).
/// </summary>
internal sealed partial class Kubelet : IController
{
    private readonly ResourceStore _store;
    private readonly KubeletSettings _options;
    private readonly TimeProvider _time;
    private readonly ControllerTimers _timers;
    private readonly PayloadSimulation _payloads;
    private readonly EventRecorder _events;
    private readonly RealisticTiming? _realistic;
    private int _nextPodIp = 10;

    public Kubelet(ResourceStore store, KubeletSettings options, ControllerTimers timers, PayloadSimulation payloads, EventRecorder events)
    {
        _events = events;
        _store = store;
        _options = options;
        _time = options.TimeProvider;
        _timers = timers;
        _payloads = payloads;
        _realistic = options.RealisticTiming ? new RealisticTiming() : null;
    }

    public string Name => "kubelet";

    public void Reconcile(DateTimeOffset now)
    {
        var (pods, _) = _store.List(ResourceTypes.Pods, null, p => !string.IsNullOrEmpty(PodLifecycle.NodeOf(p)));
        var (nodes, _) = _store.List(ResourceTypes.Nodes, null);
        var nodeNames = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var live = new HashSet<string>(StringComparer.Ordinal);
        var failures = new ObjectFailures(Name);
        foreach (var pod in pods)
        {
            live.Add(pod.Uid);
            failures.Run(pod, () => Reconcile(pod, nodes, nodeNames, now));
        }

        _timers.Prune(live);
        _killing.IntersectWith(live);
        failures.ThrowIfAny();
    }

    private void Reconcile(StoredObject pod, IReadOnlyList<StoredObject> nodes, HashSet<string> nodeNames, DateTimeOffset now)
    {
        if (!nodeNames.Contains(PodLifecycle.NodeOf(pod)))
        {
            // Pod garbage collection: a pod bound to a node that no longer exists is removed.
            _store.Remove(ResourceTypes.Pods, pod.Namespace, pod.Name, pod.Uid);
            return;
        }

        if (pod.Terminating)
        {
            Terminate(pod, now);
            return;
        }

        var phase = pod.Node["status"]?["phase"]?.ToString();
        if (phase == "Pending")
        {
            if (_timers.IsDue($"start:{pod.Uid}", () => _realistic?.StartDelay(pod, PodLifecycle.NodeOf(pod), now) ?? _options.PodStartDelay, now))
            {
                // Realistic timing: readiness counts from this start (armed before the start is visible).
                _ = _realistic is not null && _timers.IsDue($"ready:{pod.Uid}", () => ReadyDelay(pod), now);
                Start(pod, nodes.First(n => n.Name == PodLifecycle.NodeOf(pod)), now);
            }
            else if (_realistic is not null)
            {
                ShowContainerCreating(pod);
            }

            return;
        }

        if (phase != "Running" || _payloads.CompletePayloadPod(pod, now))
        {
            return;
        }

        var restarted = RestartChangedContainers(pod, now);
        if (!restarted && !Admission.IsPodReady(pod) && !FailsReadiness(pod)
            && _timers.IsDue($"ready:{pod.Uid}", () => ReadyDelay(pod), now))
        {
            MarkReady(pod);
        }

        StartEphemeralContainers(pod, now);
        _payloads.FinishEphemeralContainers(pod, now);
    }

    private void Start(StoredObject pod, StoredObject node, DateTimeOffset now)
    {
        var hostIp = (node.Node["status"]?["addresses"] as JsonArray ?? []).FirstOrDefault(a => a?["type"]?.ToString() == "InternalIP")?["address"]?.ToString();
        var ip = Interlocked.Increment(ref _nextPodIp);
        var started = _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            var status = o["status"] as JsonObject ?? new JsonObject();
            status["phase"] = "Running";
            status["hostIP"] = hostIp;
            status["podIP"] = $"10.42.{ip / 250 % 250}.{ip % 250}";
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = status["podIP"]!.ToString() });
            status["startTime"] = Admission.FormatTime(now);
            status["containerStatuses"] = ContainerStatuses(o, ready: false, now, previous: null);
            o.Put("status", status);
            var existing = status["conditions"] as JsonArray;
            ObjectStatus.SetPodConditions(o,
            [
                Condition(existing, "PodReadyToStartContainers", true, null, null),
                Condition(existing, "Initialized", true, null, null),
                Condition(existing, "Ready", false, "ContainersNotReady", "containers with unready status"),
                Condition(existing, "ContainersReady", false, "ContainersNotReady", "containers with unready status"),
                Condition(existing, "PodScheduled", true, null, null),
            ]);
            return true;
        });
        if (started is not null && started.ResourceVersion != pod.ResourceVersion)
        {
            ContainersStarted(pod, pod.Node["spec"]?["containers"] as JsonArray ?? []);
        }
    }

    private void MarkReady(StoredObject pod) =>
        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            foreach (var status in o["status"]?["containerStatuses"] as JsonArray ?? [])
            {
                status!["ready"] = true;
                status["started"] = true;
            }

            var existing = o["status"]?["conditions"] as JsonArray;
            return ObjectStatus.SetPodConditions(o,
            [
                Condition(existing, "Ready", true, null, null),
                Condition(existing, "ContainersReady", true, null, null),
            ]);
        });

    private void Terminate(StoredObject pod, DateTimeOffset now)
    {
        var grace = TimeSpan.FromSeconds(pod.Node["metadata"]?["deletionGracePeriodSeconds"]?.ToInt64() ?? 0);
        var delay = _realistic is null
            ? (grace < _options.PodTerminationDelay ? grace : _options.PodTerminationDelay)
            : RealisticTiming.TerminationDelay(pod, grace);
        ContainersKilled(pod);
        // Asked first, so that the countdown has begun once the pod is seen unready.
        var gone = _timers.IsDue($"terminate:{pod.Uid}", delay, now);
        if (Admission.IsPodReady(pod))
        {
            // Terminating pods leave Service endpoints at once.
            _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
            {
                var existing = o["status"]?["conditions"] as JsonArray;
                return ObjectStatus.SetPodConditions(o,
                [
                    Condition(existing, "Ready", false, "PodCompleted", "the pod is terminating"),
                    Condition(existing, "ContainersReady", false, "PodCompleted", "the pod is terminating"),
                ]);
            });
        }

        if (gone)
        {
            if (pod.Node["metadata"]?["finalizers"] is JsonArray { Count: > 0 })
            {
                MarkTerminated(pod, now);
            }
            else
            {
                _store.Remove(ResourceTypes.Pods, pod.Namespace, pod.Name, pod.Uid);
            }
        }
    }

    private JsonObject Condition(JsonArray? existing, string type, bool value, string? reason, string? message) =>
        ObjectStatus.PodCondition(_time, existing, type, value, reason, message);
}
