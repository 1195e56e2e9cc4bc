using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <content>Container statuses: readiness without probes, image changes, ephemeral containers.</content>
internal sealed partial class Kubelet
{
    /// <summary>
    /// Probes are not run, with one exception: a container running a pause image serves nothing, so if it declares a
    /// readiness probe the probe can never pass and the pod never becomes Ready (what pod-failure chaos relies on).
    /// Without a probe Kubernetes counts a running container as ready, and so does the emulator.
    /// </summary>
    private static bool FailsReadiness(StoredObject pod) =>
        (pod.Node["spec"]?["containers"] as JsonArray ?? []).Any(c => c?["readinessProbe"] is JsonObject && IsPauseImage(c["image"]?.ToString()));

    /// <summary>Whether the image's repository name is <c>pause</c> or ends in <c>-pause</c> (e.g. <c>rancher/mirrored-pause:3.6</c>).</summary>
    internal static bool IsPauseImage(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return false;
        }

        var name = image.Split('@')[0];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        if (colon > slash)
        {
            name = name[..colon];
        }

        name = name[(slash + 1)..];
        return name == "pause" || name.EndsWith("-pause", StringComparison.Ordinal);
    }

    /// <summary>A changed container image restarts that container (as the kubelet does): restartCount goes up and the pod is unready until it is ready again.</summary>
    private bool RestartChangedContainers(StoredObject pod, DateTimeOffset now)
    {
        var specImages = (pod.Node["spec"]?["containers"] as JsonArray ?? []).ToDictionary(c => c!["name"]!.ToString(), c => c!["image"]!.ToString(), StringComparer.Ordinal);
        var statuses = pod.Node["status"]?["containerStatuses"] as JsonArray ?? [];
        // A status a client wrote without a name or image (the status subresource accepts one) is not a change of image.
        if (statuses.All(s => s?["name"] is null || s["image"] is null || specImages.GetValueOrDefault(s["name"]!.ToString()) == s["image"]!.ToString()))
        {
            return false;
        }

        _timers.Reset($"ready:{pod.Uid}");
        var changed = (pod.Node["spec"]?["containers"] as JsonArray ?? [])
            .Where(c => statuses.Any(s => s?["name"]?.ToString() == c?["name"]?.ToString() && s?["image"] is not null && s["image"]!.ToString() != c?["image"]?.ToString()))
            .ToList();
        if (_realistic is not null)
        {
            _restarting[pod.Uid] = _realistic.RestartDelay(changed, PodLifecycle.NodeOf(pod), now);
        }

        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            o["status"]!["containerStatuses"] = ContainerStatuses(o, ready: false, now, previous: o["status"]?["containerStatuses"] as JsonArray);
            var existing = o["status"]?["conditions"] as JsonArray;
            ObjectStatus.SetPodConditions(o,
            [
                Condition(existing, "Ready", false, "ContainersNotReady", "containers with unready status"),
                Condition(existing, "ContainersReady", false, "ContainersNotReady", "containers with unready status"),
            ]);

            // The container statuses changed even when the pod was unready already (a second image change).
            return true;
        });
        foreach (var container in changed)
        {
            _events.Normal(pod, Component, "Killing", $"Container {container?["name"]} definition changed, will be restarted", PodLifecycle.NodeOf(pod));
        }

        ContainersStarted(pod, changed);
        return true;
    }

    // Realistic timing: containers restarted for a new image run again after its pull and start (kept until Ready is due).
    private readonly Dictionary<string, TimeSpan> _restarting = new(StringComparer.Ordinal);

    private TimeSpan ReadyDelay(StoredObject pod)
    {
        if (_realistic is null)
        {
            return _options.PodReadyDelay;
        }

        return (_restarting.Remove(pod.Uid, out var restart) ? restart : TimeSpan.Zero) + RealisticTiming.ReadyDelay(pod);
    }

    // Realistic timing: while the sandbox is made and images are pulled, the containers wait as ContainerCreating.
    private void ShowContainerCreating(StoredObject pod)
    {
        if (pod.Node["status"]?["containerStatuses"] is JsonArray { Count: > 0 })
        {
            return;
        }

        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            var status = o["status"] as JsonObject ?? new JsonObject();
            status["containerStatuses"] = new JsonArray((o["spec"]!["containers"] as JsonArray ?? []).Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c!["name"]!.ToString(),
                ["image"] = c["image"]!.ToString(),
                ["imageID"] = string.Empty,
                ["ready"] = false,
                ["started"] = false,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
            }).ToArray());
            o.Put("status", status);
            return true;
        });
    }

    private void StartEphemeralContainers(StoredObject pod, DateTimeOffset now)
    {
        var specified = pod.Node["spec"]?["ephemeralContainers"] as JsonArray ?? [];
        var statuses = pod.Node["status"]?["ephemeralContainerStatuses"] as JsonArray ?? [];
        if (specified.Count == statuses.Count)
        {
            return;
        }

        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            var list = o["status"]!["ephemeralContainerStatuses"] as JsonArray ?? [];
            foreach (var container in o["spec"]!["ephemeralContainers"]!.AsArray())
            {
                var name = container!["name"]!.ToString();
                if (list.Any(s => s?["name"]?.ToString() == name))
                {
                    continue;
                }

                list.Add(new JsonObject
                {
                    ["name"] = name,
                    ["image"] = container["image"]!.ToString(),
                    ["imageID"] = string.Empty,
                    ["containerID"] = $"containerd://{pod.Uid.Replace("-", string.Empty, StringComparison.Ordinal)}{name}",
                    ["ready"] = false,
                    ["restartCount"] = 0,
                    ["state"] = _payloads.EphemeralStartState(container, now),
                });
            }

            o["status"]!.AsObject().Put("ephemeralContainerStatuses", list);
            return true;
        });
    }

    private static JsonArray ContainerStatuses(JsonObject pod, bool ready, DateTimeOffset now, JsonArray? previous)
    {
        var list = new JsonArray();
        var uid = pod["metadata"]!["uid"]!.ToString().Replace("-", string.Empty, StringComparison.Ordinal);
        foreach (var container in pod["spec"]!["containers"]!.AsArray())
        {
            var name = container!["name"]!.ToString();
            var image = container["image"]!.ToString();
            var old = previous?.FirstOrDefault(s => s?["name"]?.ToString() == name);
            var changed = old is not null && old["image"]?.ToString() != image;
            var restarts = (old?["restartCount"]?.ToInt32() ?? 0) + (changed ? 1 : 0);
            if (old is not null && !changed)
            {
                list.Add(old.DeepClone());
                continue;
            }

            list.Add(new JsonObject
            {
                ["name"] = name,
                ["image"] = image,
                ["imageID"] = $"{image}@sha256:{uid}",
                ["containerID"] = $"containerd://{uid}{restarts.ToString(CultureInfo.InvariantCulture)}{name}",
                ["ready"] = ready,
                ["started"] = true,
                ["restartCount"] = restarts,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Admission.FormatTime(now) } },
            });
        }

        return list;
    }
}
