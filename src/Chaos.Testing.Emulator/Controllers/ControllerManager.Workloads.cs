using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <content>Deployment, ReplicaSet, StatefulSet and DaemonSet controllers.</content>
internal sealed partial class ControllerManager
{
    private void ReconcileDeployments()
    {
        var (deployments, _) = _store.List(ResourceTypes.Deployments, null, d => !d.Terminating);
        foreach (var deployment in deployments)
        {
            var spec = deployment.Node["spec"]!;
            var replicas = spec["replicas"]?.ToInt32() ?? 1;
            var template = (JsonObject)spec["template"]!.DeepClone();
            var hash = TemplateHash(template);
            var (owned, _) = _store.List(ResourceTypes.ReplicaSets, deployment.Namespace, rs => IsControlledBy(rs, deployment));
            var current = owned.FirstOrDefault(rs => rs.Labels.GetValueOrDefault("pod-template-hash") == hash);
            if (current is null)
            {
                var labels = template["metadata"]?["labels"] as JsonObject ?? new JsonObject();
                labels["pod-template-hash"] = hash;
                template["metadata"]!.AsObject().Put("labels", labels);
                var selector = (JsonObject)spec["selector"]!.DeepClone();
                var matchLabels = selector["matchLabels"] as JsonObject ?? new JsonObject();
                matchLabels["pod-template-hash"] = hash;
                selector["matchLabels"] = matchLabels;
                var revision = owned.Count + 1;
                var rs = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = $"{deployment.Name}-{hash}",
                        ["namespace"] = deployment.Namespace,
                        ["labels"] = labels.DeepClone(),
                        ["annotations"] = new JsonObject { ["deployment.kubernetes.io/revision"] = revision.ToString(CultureInfo.InvariantCulture) },
                        ["ownerReferences"] = OwnerReference(deployment),
                    },
                    ["spec"] = new JsonObject { ["replicas"] = replicas, ["selector"] = selector, ["template"] = template },
                };
                CreateChild(ResourceTypes.ReplicaSets, rs);
                continue;
            }

            SetReplicas(current, replicas);
            foreach (var old in owned.Where(rs => rs != current))
            {
                // Rollouts are immediate here: old ReplicaSets scale to zero as soon as the new one exists.
                SetReplicas(old, 0);
            }

            var sets = owned.Select(rs => rs.Node["status"]).ToList();
            int Sum(string field) => sets.Sum(s => s?[field]?.ToInt32() ?? 0);
            var available = Sum("availableReplicas");
            var maxUnavailable = ResolveIntOrPercent(spec["strategy"]?["rollingUpdate"]?["maxUnavailable"], replicas, roundUp: false, fallback: 0);
            var isAvailable = available >= replicas - maxUnavailable;
            var updated = current.Node["status"]?["replicas"]?.ToInt32() ?? 0;
            var complete = updated == replicas && available == replicas && Sum("replicas") == replicas;
            _store.Mutate(ResourceTypes.Deployments, deployment.Namespace, deployment.Name, o =>
            {
                var status = new JsonObject
                {
                    ["observedGeneration"] = o["metadata"]!["generation"]!.DeepClone(),
                    ["replicas"] = Sum("replicas"),
                    ["updatedReplicas"] = updated,
                    ["readyReplicas"] = Sum("readyReplicas"),
                    ["availableReplicas"] = available,
                    ["unavailableReplicas"] = Math.Max(0, replicas - available),
                };
                var conditions = o["status"]?["conditions"] as JsonArray;
                status["conditions"] = new JsonArray(
                    Condition(conditions, "Available", isAvailable,
                        isAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                        isAvailable ? "Deployment has minimum availability." : "Deployment does not have minimum availability."),
                    Condition(conditions, "Progressing", true,
                        complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                        complete ? $"ReplicaSet \"{current.Name}\" has successfully progressed." : $"ReplicaSet \"{current.Name}\" is progressing."));
                return SetStatus(o, status);
            });
        }
    }

    private void ReconcileReplicaSets()
    {
        var (sets, _) = _store.List(ResourceTypes.ReplicaSets, null, rs => !rs.Terminating);
        foreach (var rs in sets)
        {
            var replicas = rs.Node["spec"]!["replicas"]?.ToInt32() ?? 1;
            var (pods, _) = _store.List(ResourceTypes.Pods, rs.Namespace, p => IsControlledBy(p, rs));
            var active = pods.Where(IsActive).ToList();
            for (var i = active.Count; i < replicas; i++)
            {
                CreateChild(ResourceTypes.Pods, PodFromTemplate(rs, $"{rs.Name}-", null));
            }

            foreach (var extra in active.OrderBy(Admission.IsPodReady).ThenByDescending(p => p.ResourceVersion).Take(Math.Max(0, active.Count - replicas)))
            {
                DeleteGracefully(extra);
            }

            var ready = active.Count(Admission.IsPodReady);
            var labels = rs.Node["spec"]!["template"]?["metadata"]?["labels"];
            _store.Mutate(ResourceTypes.ReplicaSets, rs.Namespace, rs.Name, o => SetStatus(o, new JsonObject
            {
                ["replicas"] = active.Count,
                ["fullyLabeledReplicas"] = active.Count(p => SelectorMatcher.Matches(new JsonObject { ["matchLabels"] = labels?.DeepClone() }, p.Labels)),
                ["readyReplicas"] = ready,
                ["availableReplicas"] = ready,
                ["observedGeneration"] = o["metadata"]!["generation"]!.DeepClone(),
            }));
        }
    }

    private void ReconcileStatefulSets()
    {
        var (sets, _) = _store.List(ResourceTypes.StatefulSets, null, s => !s.Terminating);
        foreach (var set in sets)
        {
            var spec = set.Node["spec"]!;
            var replicas = spec["replicas"]?.ToInt32() ?? 1;
            var parallel = spec["podManagementPolicy"]?.ToString() == "Parallel";
            var (pods, _) = _store.List(ResourceTypes.Pods, set.Namespace, p => IsControlledBy(p, set));
            for (var ordinal = 0; ordinal < replicas; ordinal++)
            {
                var name = $"{set.Name}-{ordinal}";
                var existing = _store.Get(ResourceTypes.Pods, set.Namespace, name);
                if (existing is not null)
                {
                    if (!parallel && (!Admission.IsPodReady(existing) || existing.Terminating))
                    {
                        break; // OrderedReady: the next ordinal waits for this one
                    }

                    continue;
                }

                var pod = PodFromTemplate(set, null, name);
                var labels = pod["metadata"]!["labels"]!.AsObject();
                labels["statefulset.kubernetes.io/pod-name"] = name;
                labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture);
                pod["spec"]!["hostname"] = name;
                if (spec["serviceName"]?.ToString() is { Length: > 0 } service)
                {
                    pod["spec"]!["subdomain"] = service;
                }

                CreateChild(ResourceTypes.Pods, pod);
                if (!parallel)
                {
                    break;
                }
            }

            foreach (var pod in pods.Where(p => IsActive(p) && Ordinal(set, p) >= replicas).OrderByDescending(p => Ordinal(set, p)))
            {
                DeleteGracefully(pod);
            }

            var active = pods.Where(IsActive).ToList();
            var ready = active.Count(Admission.IsPodReady);
            _store.Mutate(ResourceTypes.StatefulSets, set.Namespace, set.Name, o => SetStatus(o, new JsonObject
            {
                ["observedGeneration"] = o["metadata"]!["generation"]!.DeepClone(),
                ["replicas"] = active.Count,
                ["readyReplicas"] = ready,
                ["currentReplicas"] = active.Count,
                ["updatedReplicas"] = active.Count,
                ["availableReplicas"] = ready,
            }));
        }
    }

    private void ReconcileDaemonSets()
    {
        var (sets, _) = _store.List(ResourceTypes.DaemonSets, null, s => !s.Terminating);
        if (sets.Count == 0)
        {
            return;
        }

        var (nodes, _) = _store.List(ResourceTypes.Nodes, null);
        foreach (var set in sets)
        {
            var templateSpec = set.Node["spec"]!["template"]!["spec"]!;
            var tolerations = (templateSpec["tolerations"] as JsonArray ?? []).Concat(DaemonSetTolerations).ToList();
            var eligible = nodes.Where(n => !n.Terminating
                                            && Scheduling.NodeSelectorMatches(templateSpec, n)
                                            && Scheduling.UntoleratedTaint(n, tolerations, includeUnschedulable: false) is null)
                .Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var (pods, _) = _store.List(ResourceTypes.Pods, set.Namespace, p => IsControlledBy(p, set));
            var active = pods.Where(IsActive).ToList();
            foreach (var node in eligible.Where(n => !active.Any(p => NodeOf(p) == n)))
            {
                var pod = PodFromTemplate(set, $"{set.Name}-", null);
                pod["spec"]!["nodeName"] = node;
                var podTolerations = pod["spec"]!["tolerations"] as JsonArray ?? [];
                foreach (var toleration in DaemonSetTolerations.Where(t => !podTolerations.Any(p => p?["key"]?.ToString() == t["key"]!.ToString())))
                {
                    podTolerations.Add(toleration.DeepClone());
                }

                pod["spec"]!.AsObject().Put("tolerations", podTolerations);
                CreateChild(ResourceTypes.Pods, pod);
            }

            foreach (var pod in active.Where(p => !eligible.Contains(NodeOf(p))))
            {
                DeleteGracefully(pod);
            }

            var scheduled = active.Where(p => eligible.Contains(NodeOf(p))).ToList();
            var ready = scheduled.Count(Admission.IsPodReady);
            _store.Mutate(ResourceTypes.DaemonSets, set.Namespace, set.Name, o => SetStatus(o, new JsonObject
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

    private static readonly JsonObject[] DaemonSetTolerations =
        new[] { "not-ready", "unreachable", "disk-pressure", "memory-pressure", "pid-pressure", "unschedulable" }
            .Select(key => new JsonObject
            {
                ["key"] = $"node.kubernetes.io/{key}",
                ["operator"] = "Exists",
                ["effect"] = key is "not-ready" or "unreachable" ? "NoExecute" : "NoSchedule",
            })
            .ToArray();

    private static JsonObject PodFromTemplate(StoredObject owner, string? generateName, string? name)
    {
        var template = owner.Node["spec"]!["template"]!;
        var metadata = new JsonObject
        {
            ["namespace"] = owner.Namespace,
            ["labels"] = template["metadata"]?["labels"]?.DeepClone() ?? new JsonObject(),
            ["ownerReferences"] = OwnerReference(owner),
        };
        if (template["metadata"]?["annotations"] is JsonObject annotations)
        {
            metadata["annotations"] = annotations.DeepClone();
        }

        if (name is not null)
        {
            metadata["name"] = name;
        }
        else
        {
            metadata["generateName"] = generateName;
        }

        return new JsonObject { ["metadata"] = metadata, ["spec"] = template["spec"]!.DeepClone() };
    }

    private void CreateChild(ResourceType type, JsonObject obj)
    {
        if (_store.Get(ResourceTypes.Namespaces, null, obj["metadata"]!["namespace"]!.ToString()) is not { Terminating: false })
        {
            return;
        }

        _admission.Apply(type, obj);
        try
        {
            _store.Create(type, obj);
        }
        catch (ApiException ex) when (ex.Code == 409)
        {
            // A StatefulSet pod whose predecessor is still terminating: the next pass tries again.
        }
    }

    private void SetReplicas(StoredObject rs, int replicas) =>
        _store.Mutate(ResourceTypes.ReplicaSets, rs.Namespace, rs.Name, o =>
        {
            if (o["spec"]!["replicas"]?.ToInt32() == replicas)
            {
                return false;
            }

            o["spec"]!["replicas"] = replicas;
            return true;
        });

    private void DeleteGracefully(StoredObject pod)
    {
        if (pod.Terminating)
        {
            return;
        }

        var grace = pod.Node["spec"]?["terminationGracePeriodSeconds"]?.ToInt64() ?? 30;
        if (string.IsNullOrEmpty(NodeOf(pod)))
        {
            _store.Remove(ResourceTypes.Pods, pod.Namespace, pod.Name, pod.Uid);
            return;
        }

        _store.MarkDeleting(ResourceTypes.Pods, pod, grace);
    }

    private static bool SetStatus(JsonObject obj, JsonObject status)
    {
        if (JsonNode.DeepEquals(obj["status"], status))
        {
            return false;
        }

        obj["status"] = status;
        return true;
    }

    private JsonObject Condition(JsonArray? existing, string type, bool value, string reason, string message)
    {
        var status = value ? "True" : "False";
        var previous = existing?.FirstOrDefault(c => c?["type"]?.ToString() == type);
        var changed = previous?["status"]?.ToString() != status;
        var now = Admission.FormatTime(_time.GetUtcNow());
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastUpdateTime"] = changed || previous?["reason"]?.ToString() != reason ? now : previous?["lastUpdateTime"]?.DeepClone(),
            ["lastTransitionTime"] = changed ? now : previous?["lastTransitionTime"]?.DeepClone(),
            ["reason"] = reason,
            ["message"] = message,
        };
    }

    private static JsonArray OwnerReference(StoredObject owner) =>
        new(new JsonObject
        {
            ["apiVersion"] = owner.Type.ApiVersion,
            ["kind"] = owner.Type.Kind,
            ["name"] = owner.Name,
            ["uid"] = owner.Uid,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });

    private static bool IsControlledBy(StoredObject child, StoredObject owner) =>
        (child.Node["metadata"]?["ownerReferences"] as JsonArray ?? [])
        .Any(r => r?["uid"]?.ToString() == owner.Uid && JsonNumbers.IsTrue(r["controller"]));

    private static bool IsActive(StoredObject pod) =>
        !pod.Terminating && pod.Node["status"]?["phase"]?.ToString() is not ("Succeeded" or "Failed");

    private static string NodeOf(StoredObject pod) => pod.Node["spec"]?["nodeName"]?.ToString() ?? string.Empty;

    private static int Ordinal(StoredObject set, StoredObject pod) =>
        int.TryParse(pod.Name.AsSpan(set.Name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : -1;

    private static int ResolveIntOrPercent(JsonNode? value, int total, bool roundUp, int fallback)
    {
        if (value is null)
        {
            return fallback;
        }

        var text = value.ToString();
        if (!text.EndsWith('%'))
        {
            return value.ToInt32();
        }

        var scaled = total * int.Parse(text.TrimEnd('%'), CultureInfo.InvariantCulture) / 100.0;
        return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
    }

    // Like pod-template-hash: stable for the same template, different when it changes.
    private static string TemplateHash(JsonObject template)
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(template.ToJsonString()))
        {
            hash = (hash ^ b) * 16777619u;
        }

        var chars = new char[10];
        var value = (ulong)hash * 2654435761u;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[(int)(value % (ulong)Alphabet.Length)];
            value = (value / (ulong)Alphabet.Length) + ((ulong)hash * (ulong)(i + 7));
        }

        return new string(chars);
    }
}
