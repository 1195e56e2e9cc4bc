using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <content>
/// The pod's status, written from what its containers do: IPs and start time from the sandbox, container statuses from
/// the runners, the phase and the Ready / ContainersReady conditions from them. Conditions others set (a disruption
/// target, say) are kept.
/// </content>
internal sealed partial class PodWorker
{
    private void WriteStatus(bool terminating = false)
    {
        Interlocked.Exchange(ref _pendingWrites, 0);
        List<ContainerRunner> containers;
        List<ContainerRunner> ephemeral;
        lock (_gate)
        {
            containers = [.. _containers.Values];
            ephemeral = [.. _ephemeral.Values];
        }

        var context = _context!;
        var statuses = new JsonArray(containers.Select(c => (JsonNode)c.Status()).ToArray());
        var ephemeralStatuses = new JsonArray(ephemeral.Select(c => (JsonNode)c.Status()).ToArray());
        var ready = !terminating && containers.Count > 0 && containers.All(c => c.Ready);
        var phase = Phase(containers);
        var now = _time.GetUtcNow();
        _store.Mutate(ResourceTypes.Pods, context.Namespace, context.Name, o =>
        {
            if (o["metadata"]?["uid"]?.ToString() != context.Uid)
            {
                return false;
            }

            var before = o["status"]?.DeepClone();
            var status = o["status"] as JsonObject ?? new JsonObject();
            status["phase"] = phase;
            status["hostIP"] = HostIp(o);
            status["podIP"] = context.PodIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = context.PodIp });
            status["startTime"] ??= Admission.FormatTime(now);
            status["containerStatuses"] = statuses.DeepClone();
            if (ephemeralStatuses.Count > 0)
            {
                status["ephemeralContainerStatuses"] = ephemeralStatuses.DeepClone();
            }

            o.Put("status", status);
            var existing = status["conditions"] as JsonArray;
            var reason = terminating ? "PodCompleted" : "ContainersNotReady";
            var message = terminating ? "the pod is terminating" : "containers with unready status: [" + string.Join(' ', containers.Where(c => !c.Ready).Select(c => c.Name)) + "]";
            ObjectStatus.SetPodConditions(o,
            [
                ObjectStatus.PodCondition(_time, existing, "PodReadyToStartContainers", true, null, null),
                ObjectStatus.PodCondition(_time, existing, "Initialized", true, null, null),
                ObjectStatus.PodCondition(_time, existing, "Ready", ready, ready ? null : reason, ready ? null : message),
                ObjectStatus.PodCondition(_time, existing, "ContainersReady", ready, ready ? null : reason, ready ? null : message),
                ObjectStatus.PodCondition(_time, existing, "PodScheduled", true, null, null),
            ]);
            return !JsonNode.DeepEquals(before, o["status"]);
        });
    }

    /// <summary>
    /// Running while a container runs or will run again; once every container has ended for good, Succeeded when all
    /// exited 0, else Failed; Pending until then.
    /// </summary>
    private static string Phase(List<ContainerRunner> containers)
    {
        if (containers.Count > 0 && containers.All(c => c.Finished))
        {
            return containers.All(c => c.LastExitCode == 0) ? "Succeeded" : "Failed";
        }

        return containers.Any(c => c.HostPid is not null || c.RestartCount > 0 || c.LastExitCode is not null) ? "Running" : "Pending";
    }

    private JsonNode? HostIp(JsonObject pod)
    {
        var node = _store.Get(ResourceTypes.Nodes, null, pod["spec"]?["nodeName"]?.ToString() ?? string.Empty);
        return (node?.Node["status"]?["addresses"] as JsonArray ?? []).FirstOrDefault(a => a?["type"]?.ToString() == "InternalIP")?["address"]?.DeepClone();
    }
}
