using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <content>The scheduler, the NoExecute taint manager and the kubelet.</content>
internal sealed partial class ControllerManager
{
    private int _nextPodIp = 10;

    private void Schedule()
    {
        var (pending, _) = _store.List(ResourceTypes.Pods, null, p => !p.Terminating && string.IsNullOrEmpty(NodeOf(p)));
        if (pending.Count == 0)
        {
            return;
        }

        var (nodes, _) = _store.List(ResourceTypes.Nodes, null);
        var (pods, _) = _store.List(ResourceTypes.Pods, null, p => !string.IsNullOrEmpty(NodeOf(p)) && IsActive(p));
        var load = nodes.ToDictionary(n => n.Name, n => pods.Count(p => NodeOf(p) == n.Name), StringComparer.Ordinal);
        foreach (var pod in pending)
        {
            var spec = pod.Node["spec"]!;
            var tolerations = (spec["tolerations"] as JsonArray ?? []).ToList();
            var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
            var candidates = new List<StoredObject>();
            foreach (var node in nodes)
            {
                string? reason = null;
                if (!Scheduling.IsNodeReady(node))
                {
                    reason = "node(s) were not ready";
                }
                else if (!Scheduling.NodeSelectorMatches(spec, node))
                {
                    reason = "node(s) didn't match Pod's node affinity/selector";
                }
                else if (Scheduling.UntoleratedTaint(node, tolerations, includeUnschedulable: true) is { } taint)
                {
                    reason = taint["key"]!.ToString() == Scheduling.UnschedulableTaintKey
                        ? "node(s) were unschedulable"
                        : $"node(s) had untolerated taint {{{taint["key"]}: {taint["value"]}}}";
                }

                if (reason is null)
                {
                    candidates.Add(node);
                }
                else
                {
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
            }

            if (candidates.Count == 0)
            {
                var message = $"0/{nodes.Count} nodes are available: " + string.Join(", ", reasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} {r.Key}")) + ".";
                _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
                {
                    var existing = o["status"]?["conditions"] as JsonArray;
                    var condition = PodCondition(existing, "PodScheduled", false, "Unschedulable", message);
                    return SetPodConditions(o, [condition]);
                });
                continue;
            }

            var chosen = candidates.OrderBy(n => load[n.Name]).ThenBy(n => n.Name, StringComparer.Ordinal).First();
            load[chosen.Name]++;
            _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
            {
                if (!string.IsNullOrEmpty(o["spec"]?["nodeName"]?.ToString()))
                {
                    return false;
                }

                o["spec"]!["nodeName"] = chosen.Name;
                SetPodConditions(o, [PodCondition(o["status"]?["conditions"] as JsonArray, "PodScheduled", true, null, null)]);
                return true;
            });
        }
    }

    private void EvictForNoExecuteTaints(DateTimeOffset now)
    {
        var (nodes, _) = _store.List(ResourceTypes.Nodes, null, n => (n.Node["spec"]?["taints"] as JsonArray ?? []).Any(t => t?["effect"]?.ToString() == "NoExecute"));
        foreach (var node in nodes)
        {
            var (pods, _) = _store.List(ResourceTypes.Pods, null, p => NodeOf(p) == node.Name && !p.Terminating);
            foreach (var pod in pods)
            {
                var tolerations = (pod.Node["spec"]?["tolerations"] as JsonArray ?? []).ToList();
                var taint = Scheduling.UntoleratedTaint(node, tolerations, includeUnschedulable: false, noExecuteOnly: true);
                if (taint is not null)
                {
                    DeleteGracefully(pod);
                    continue;
                }

                // Tolerated for a while only: evict once tolerationSeconds have passed.
                var limited = (node.Node["spec"]?["taints"] as JsonArray ?? [])
                    .Where(t => t?["effect"]?.ToString() == "NoExecute")
                    .Select(t => tolerations.Where(x => Scheduling.Tolerates(x, t)).Select(x => x?["tolerationSeconds"]?.ToInt64()).ToList())
                    .Where(seconds => seconds.Count > 0 && seconds.All(s => s is not null))
                    .Select(seconds => seconds.Max()!.Value)
                    .ToList();
                if (limited.Count > 0 && IsDue($"noexecute:{pod.Uid}", TimeSpan.FromSeconds(limited.Min()), now))
                {
                    DeleteGracefully(pod);
                }
            }
        }
    }

    private void RunKubelet(DateTimeOffset now)
    {
        var (pods, _) = _store.List(ResourceTypes.Pods, null, p => !string.IsNullOrEmpty(NodeOf(p)));
        var (nodes, _) = _store.List(ResourceTypes.Nodes, null);
        var nodeNames = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            live.Add(pod.Uid);
            if (!nodeNames.Contains(NodeOf(pod)))
            {
                // Pod garbage collection: a pod bound to a node that no longer exists is removed.
                _store.Remove(ResourceTypes.Pods, pod.Namespace, pod.Name, pod.Uid);
                continue;
            }

            if (pod.Terminating)
            {
                Terminate(pod, now);
                continue;
            }

            var phase = pod.Node["status"]?["phase"]?.ToString();
            if (phase == "Pending")
            {
                if (IsDue($"start:{pod.Uid}", _options.PodStartDelay, now))
                {
                    Start(pod, nodes.First(n => n.Name == NodeOf(pod)), now);
                }

                continue;
            }

            if (phase != "Running")
            {
                continue;
            }

            if (CompletePayloadPod(pod, now))
            {
                continue;
            }

            var restarted = RestartChangedContainers(pod, now);
            if (!restarted && !Admission.IsPodReady(pod) && !FailsReadiness(pod) && IsDue($"ready:{pod.Uid}", _options.PodReadyDelay, now))
            {
                MarkReady(pod);
            }

            StartEphemeralContainers(pod, now);
            FinishEphemeralContainers(pod, now);
        }

        PruneDue(live);
    }

    private void Start(StoredObject pod, StoredObject node, DateTimeOffset now)
    {
        var hostIp = (node.Node["status"]?["addresses"] as JsonArray ?? []).FirstOrDefault(a => a?["type"]?.ToString() == "InternalIP")?["address"]?.ToString();
        var ip = Interlocked.Increment(ref _nextPodIp);
        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
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
            SetPodConditions(o,
            [
                PodCondition(existing, "PodReadyToStartContainers", true, null, null),
                PodCondition(existing, "Initialized", true, null, null),
                PodCondition(existing, "Ready", false, "ContainersNotReady", "containers with unready status"),
                PodCondition(existing, "ContainersReady", false, "ContainersNotReady", "containers with unready status"),
                PodCondition(existing, "PodScheduled", true, null, null),
            ]);
            return true;
        });
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
            return SetPodConditions(o,
            [
                PodCondition(existing, "Ready", true, null, null),
                PodCondition(existing, "ContainersReady", true, null, null),
            ]);
        });

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
        if (statuses.All(s => specImages.GetValueOrDefault(s!["name"]!.ToString()) == s["image"]!.ToString()))
        {
            return false;
        }

        _due.Remove($"ready:{pod.Uid}");
        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            o["status"]!["containerStatuses"] = ContainerStatuses(o, ready: false, now, previous: o["status"]?["containerStatuses"] as JsonArray);
            var existing = o["status"]?["conditions"] as JsonArray;
            SetPodConditions(o,
            [
                PodCondition(existing, "Ready", false, "ContainersNotReady", "containers with unready status"),
                PodCondition(existing, "ContainersReady", false, "ContainersNotReady", "containers with unready status"),
            ]);

            // The container statuses changed even when the pod was unready already (a second image change).
            return true;
        });
        return true;
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

                var isPayload = EnvValue(container, HoldSecondsVariable) is not null;
                var state = isPayload && _options.PayloadInstallError is { } error
                    ? new JsonObject
                    {
                        ["terminated"] = new JsonObject
                        {
                            ["exitCode"] = 1,
                            ["reason"] = "Error",
                            ["message"] = error,
                            ["startedAt"] = Admission.FormatTime(now),
                            ["finishedAt"] = Admission.FormatTime(now),
                        },
                    }
                    : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Admission.FormatTime(now) } };
                list.Add(new JsonObject
                {
                    ["name"] = name,
                    ["image"] = container["image"]!.ToString(),
                    ["imageID"] = string.Empty,
                    ["containerID"] = $"containerd://{pod.Uid.Replace("-", string.Empty, StringComparison.Ordinal)}{name}",
                    ["ready"] = false,
                    ["restartCount"] = 0,
                    ["state"] = state,
                });
            }

            o["status"]!.AsObject().Put("ephemeralContainerStatuses", list);
            return true;
        });
    }

    /// <summary>
    /// A pod that never restarts (<c>restartPolicy: Never</c>) whose every container declares <see cref="HoldSecondsVariable"/>
    /// is a Chaos.Testing payload pod: it succeeds (exit 0) once the longest hold has passed, as its script would; with
    /// <see cref="KubernetesEmulatorOptions.PayloadInstallError"/> a payload pod holding a second or more fails at once
    /// (exit 1, that text as message).
    /// </summary>
    private bool CompletePayloadPod(StoredObject pod, DateTimeOffset now)
    {
        if (pod.Node["spec"]?["restartPolicy"]?.ToString() != "Never")
        {
            return false;
        }

        var holds = new List<double>();
        foreach (var container in (pod.Node["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var hold = EnvValue(container, HoldSecondsVariable);
            if (hold is null || !double.TryParse(hold, CultureInfo.InvariantCulture, out var seconds))
            {
                return false;
            }

            holds.Add(seconds);
        }

        if (holds.Count == 0)
        {
            return false;
        }

        // A payload (it holds a second or more; a cleanup pod declares 0) fails at once when told to.
        var error = holds.Max() >= 1 ? _options.PayloadInstallError : null;
        if (error is null && !IsDue($"complete:{pod.Uid}", TimeSpan.FromSeconds(holds.Max()), now))
        {
            return false;
        }

        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            var status = o["status"]!.AsObject();
            status["phase"] = error is null ? "Succeeded" : "Failed";
            foreach (var container in (status["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                container["ready"] = false;
                container["started"] = false;
                container.Put("state", new JsonObject
                {
                    ["terminated"] = error is null
                        ? new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed", ["finishedAt"] = Admission.FormatTime(now) }
                        : new JsonObject { ["exitCode"] = 1, ["reason"] = "Error", ["message"] = error, ["finishedAt"] = Admission.FormatTime(now) },
                });
            }

            var existing = status["conditions"] as JsonArray;
            SetPodConditions(o,
            [
                PodCondition(existing, "Ready", false, "PodCompleted", null),
                PodCondition(existing, "ContainersReady", false, "PodCompleted", null),
            ]);
            return true;
        });
        return true;
    }

    /// <summary>The value of environment variable <paramref name="name"/> declared by a container spec, or null.</summary>
    internal static string? EnvValue(JsonNode? container, string name) =>
        (container?["env"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(e => e["name"]?.ToString() == name) is { } variable
            ? variable["value"]?.ToString() ?? string.Empty
            : null;

    /// <summary>The environment variable by which a Chaos.Testing payload declares how long it holds (the emulator ends it then, exit 0).</summary>
    public const string HoldSecondsVariable = "CHAOS_TESTING_HOLD_SECONDS";

    /// <summary>The environment variable by which a cleanup container names the payload it stops (both end at once, exit 0).</summary>
    public const string StopsVariable = "CHAOS_TESTING_STOPS";

    /// <summary>
    /// No command runs in the emulator, so ephemeral containers would run forever. Payloads of Chaos.Testing declare their
    /// lifetime instead: one with <see cref="HoldSecondsVariable"/> terminates (Completed, exit 0) once that time has passed;
    /// a cleanup container (<see cref="StopsVariable"/>) terminates at once and so does the payload it names, as its
    /// TERM trap would make it. Other ephemeral containers keep running.
    /// </summary>
    private void FinishEphemeralContainers(StoredObject pod, DateTimeOffset now)
    {
        var specs = (pod.Node["spec"]?["ephemeralContainers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var statuses = (pod.Node["status"]?["ephemeralContainerStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var finish = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var name = spec["name"]!.ToString();
            var status = statuses.FirstOrDefault(s => s["name"]?.ToString() == name);
            if (status?["state"]?["running"] is null)
            {
                continue;
            }

            var env = (spec["env"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(e => e["name"]!.ToString(), e => e["value"]?.ToString() ?? string.Empty, StringComparer.Ordinal);
            if (env.TryGetValue(StopsVariable, out var stops))
            {
                finish.Add(name);
                finish.Add(stops);
            }
            else if (env.TryGetValue(HoldSecondsVariable, out var held) && double.TryParse(held, CultureInfo.InvariantCulture, out var seconds)
                && IsDue($"ephemeral-{name}:{pod.Uid}", TimeSpan.FromSeconds(seconds), now))
            {
                finish.Add(name);
            }
        }

        if (!statuses.Any(s => finish.Contains(s["name"]!.ToString()) && s["state"]?["running"] is not null))
        {
            return;
        }

        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            var changed = false;
            foreach (var status in (o["status"]?["ephemeralContainerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (finish.Contains(status["name"]!.ToString()) && status["state"]?["running"] is JsonObject running)
                {
                    status.Put("state", new JsonObject
                    {
                        ["terminated"] = new JsonObject
                        {
                            ["exitCode"] = 0,
                            ["reason"] = "Completed",
                            ["startedAt"] = running["startedAt"]?.DeepClone(),
                            ["finishedAt"] = Admission.FormatTime(now),
                        },
                    });
                    changed = true;
                }
            }

            return changed;
        });
    }

    private void Terminate(StoredObject pod, DateTimeOffset now)
    {
        var grace = TimeSpan.FromSeconds(pod.Node["metadata"]?["deletionGracePeriodSeconds"]?.ToInt64() ?? 0);
        var delay = grace < _options.PodTerminationDelay ? grace : _options.PodTerminationDelay;
        if (Admission.IsPodReady(pod))
        {
            // Terminating pods leave Service endpoints at once.
            _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
            {
                var existing = o["status"]?["conditions"] as JsonArray;
                return SetPodConditions(o,
                [
                    PodCondition(existing, "Ready", false, "PodCompleted", "the pod is terminating"),
                    PodCondition(existing, "ContainersReady", false, "PodCompleted", "the pod is terminating"),
                ]);
            });
        }

        if (IsDue($"terminate:{pod.Uid}", delay, now)
            && pod.Node["metadata"]?["finalizers"] is not JsonArray { Count: > 0 })
        {
            _store.Remove(ResourceTypes.Pods, pod.Namespace, pod.Name, pod.Uid);
        }
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

    private JsonObject PodCondition(JsonArray? existing, string type, bool value, string? reason, string? message)
    {
        var status = value ? "True" : "False";
        var previous = existing?.FirstOrDefault(c => c?["type"]?.ToString() == type);
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = previous?["status"]?.ToString() == status
                ? previous["lastTransitionTime"]?.DeepClone()
                : Admission.FormatTime(_time.GetUtcNow()),
        };
        if (reason is not null)
        {
            condition["reason"] = reason;
            condition["message"] = message;
        }

        return condition;
    }

    /// <summary>Replaces the named conditions, keeps the others; reports whether anything changed.</summary>
    private static bool SetPodConditions(JsonObject pod, IReadOnlyList<JsonObject> conditions)
    {
        var status = pod["status"] as JsonObject ?? new JsonObject();
        pod.Put("status", status);
        var list = status["conditions"] as JsonArray ?? [];
        var before = list.DeepClone();
        foreach (var condition in conditions)
        {
            var index = list.ToList().FindIndex(c => c?["type"]?.ToString() == condition["type"]!.ToString());
            if (index >= 0)
            {
                list[index] = condition;
            }
            else
            {
                list.Add(condition);
            }
        }

        status.Put("conditions", list);
        return !JsonNode.DeepEquals(before, list);
    }
}
