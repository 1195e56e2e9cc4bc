using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <content>The kubelet's events: pulling, creating, starting and killing containers, as <c>kubectl describe pod</c> lists them.</content>
internal sealed partial class Kubelet
{
    private const string Component = "kubelet";

    private readonly HashSet<string> _killing = new(StringComparer.Ordinal);

    private void ContainersStarted(StoredObject pod, IEnumerable<JsonNode?> containers)
    {
        var node = PodLifecycle.NodeOf(pod);
        foreach (var container in containers)
        {
            var name = container?["name"]?.ToString() ?? string.Empty;
            var image = container?["image"]?.ToString() ?? string.Empty;
            if (container?["imagePullPolicy"]?.ToString() == "Always")
            {
                _events.Normal(pod, Component, "Pulling", $"Pulling image \"{image}\"", node);
                _events.Normal(pod, Component, "Pulled", $"Successfully pulled image \"{image}\" in 0s (0s including waiting)", node);
            }
            else
            {
                _events.Normal(pod, Component, "Pulled", $"Container image \"{image}\" already present on machine", node);
            }

            _events.Normal(pod, Component, "Created", $"Created container {name}", node);
            _events.Normal(pod, Component, "Started", $"Started container {name}", node);
        }
    }

    private void ContainersKilled(StoredObject pod)
    {
        if (!_killing.Add(pod.Uid))
        {
            return;
        }

        foreach (var container in pod.Node["spec"]?["containers"] as JsonArray ?? [])
        {
            _events.Normal(pod, Component, "Killing", $"Stopping container {container?["name"]}", PodLifecycle.NodeOf(pod));
        }
    }

    // A pod that is being deleted and still has finalizers ends its containers and reaches a terminal phase (as the
    // kubelet does since Kubernetes 1.27), then waits for them to be removed.
    private void MarkTerminated(StoredObject pod, DateTimeOffset now) =>
        _store.Mutate(Api.ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            if (o["status"] is not JsonObject status || status["phase"]?.ToString() is "Succeeded" or "Failed")
            {
                return false;
            }

            status["phase"] = "Failed";
            foreach (var container in (status["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                container["ready"] = false;
                container["started"] = false;
                container["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = 143,
                        ["reason"] = "Error",
                        ["startedAt"] = container["state"]?["running"]?["startedAt"]?.DeepClone(),
                        ["finishedAt"] = Timestamps.Format(now),
                    },
                };
            }

            return true;
        });
}
