using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Deployments: one ReplicaSet per pod template (named by its hash, as pod-template-hash); a new template rolls out as
/// its strategy says (<see cref="RollingUpdate"/> within maxSurge and maxUnavailable, or Recreate), and the Available
/// and Progressing conditions.
/// </summary>
internal sealed class DeploymentController : IController
{
    private readonly ResourceStore _store;
    private readonly Admission _admission;
    private readonly TimeProvider _time;
    private readonly EventRecorder _events;

    public DeploymentController(ResourceStore store, Admission admission, TimeProvider time, EventRecorder events)
    {
        _store = store;
        _admission = admission;
        _time = time;
        _events = events;
    }

    public string Name => "deployment";

    public void Reconcile(DateTimeOffset now)
    {
        var (deployments, _) = _store.List(ResourceTypes.Deployments, null, d => !d.Terminating);
        ObjectFailures.ForEach(Name, deployments, Reconcile);
    }

    private void Reconcile(StoredObject deployment)
    {
        var spec = deployment.Node["spec"]!;
        var replicas = spec["replicas"]?.ToInt32() ?? 1;
        var template = (JsonObject)spec["template"]!.DeepClone();
        var hash = TemplateHash(template);
        var (owned, _) = _store.List(ResourceTypes.ReplicaSets, deployment.Namespace, rs => Workloads.IsControlledBy(rs, deployment));
        var current = owned.FirstOrDefault(rs => rs.Labels.GetValueOrDefault("pod-template-hash") == hash);
        var old = owned.Where(rs => rs != current).ToList();
        var recreate = spec["strategy"]?["type"]?.ToString() == "Recreate";
        if (current is null)
        {
            var initial = old.Count == 0 ? replicas : recreate ? 0 : RollingUpdate.NewReplicas(spec, replicas, 0, old);
            CreateReplicaSet(deployment, template, hash, initial, revision: owned.Count + 1);
            return;
        }

        if (recreate)
        {
            // Recreate: every old pod goes, and only once none is left (not even terminating) do new ones start.
            old.ForEach(rs => SetReplicas(deployment, rs, 0));
            var oldPods = _store.List(ResourceTypes.Pods, deployment.Namespace, p => old.Any(rs => Workloads.IsControlledBy(p, rs))).Item1;
            SetReplicas(deployment, current, oldPods.Count == 0 ? replicas : current.Node["spec"]?["replicas"]?.ToInt32() ?? 0);
        }
        else
        {
            // RollingUpdate: one step per pass, scaling up first, as the Deployment controller does; the next pass
            // sees the ReplicaSets' new statuses.
            var newReplicas = RollingUpdate.NewReplicas(spec, replicas, current.Node["spec"]?["replicas"]?.ToInt32() ?? 0, old);
            if (!SetReplicas(deployment, current, newReplicas))
            {
                foreach (var (rs, target) in RollingUpdate.OldReplicas(spec, replicas, current, old))
                {
                    SetReplicas(deployment, rs, target);
                }
            }
        }

        SyncMinReadySeconds(owned, spec["minReadySeconds"]?.ToInt32() ?? 0);
        var sets = owned.Select(rs => rs.Node["status"]).ToList();
        int Sum(string field) => sets.Sum(s => s?[field]?.ToInt32() ?? 0);
        var available = Sum("availableReplicas");
        var maxUnavailable = recreate ? replicas : RollingUpdate.Limits(spec, replicas).MaxUnavailable;
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
                ObjectStatus.WorkloadCondition(_time, conditions, "Available", isAvailable,
                    isAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                    isAvailable ? "Deployment has minimum availability." : "Deployment does not have minimum availability."),
                ObjectStatus.WorkloadCondition(_time, conditions, "Progressing", true,
                    complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                    complete ? $"ReplicaSet \"{current.Name}\" has successfully progressed." : $"ReplicaSet \"{current.Name}\" is progressing."));
            return ObjectStatus.Set(o, status);
        });
    }

    private void CreateReplicaSet(StoredObject deployment, JsonObject template, string hash, int replicas, int revision)
    {
        var labels = template["metadata"]?["labels"] as JsonObject ?? new JsonObject();
        labels["pod-template-hash"] = hash;
        template["metadata"]!.AsObject().Put("labels", labels);
        var selector = (JsonObject)deployment.Node["spec"]!["selector"]!.DeepClone();
        var matchLabels = selector["matchLabels"] as JsonObject ?? new JsonObject();
        matchLabels["pod-template-hash"] = hash;
        selector["matchLabels"] = matchLabels;
        var rs = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{deployment.Name}-{hash}",
                ["namespace"] = deployment.Namespace,
                ["labels"] = labels.DeepClone(),
                ["annotations"] = new JsonObject { ["deployment.kubernetes.io/revision"] = revision.ToString(CultureInfo.InvariantCulture) },
                ["ownerReferences"] = Workloads.OwnerReference(deployment),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["minReadySeconds"] = deployment.Node["spec"]!["minReadySeconds"]?.ToInt32() ?? 0,
                ["selector"] = selector,
                ["template"] = template,
            },
        };
        Workloads.CreateChild(_store, _admission, ResourceTypes.ReplicaSets, rs);
        _events.Normal(deployment, "deployment-controller", "ScalingReplicaSet", $"Scaled up replica set {deployment.Name}-{hash} from 0 to {replicas}");
    }

    // Reports whether the replicas changed (a pass that scaled the new ReplicaSet up leaves the old ones for the next).
    private bool SetReplicas(StoredObject deployment, StoredObject rs, int replicas)
    {
        var from = rs.Node["spec"]!["replicas"]?.ToInt32() ?? 1;
        var changed = false;
        _store.Mutate(ResourceTypes.ReplicaSets, rs.Namespace, rs.Name, o =>
        {
            if (o["spec"]!["replicas"]?.ToInt32() == replicas)
            {
                return false;
            }

            o["spec"]!["replicas"] = replicas;
            changed = true;
            return true;
        });
        if (changed && from != replicas)
        {
            var direction = replicas > from ? "up" : "down";
            _events.Normal(deployment, "deployment-controller", "ScalingReplicaSet", $"Scaled {direction} replica set {rs.Name} from {from} to {replicas}");
        }

        return changed;
    }

    // The ReplicaSets count a pod available once it has been Ready for the Deployment's minReadySeconds.
    private void SyncMinReadySeconds(IEnumerable<StoredObject> sets, int minReadySeconds)
    {
        foreach (var rs in sets.Where(rs => (rs.Node["spec"]?["minReadySeconds"]?.ToInt32() ?? 0) != minReadySeconds))
        {
            _store.Mutate(ResourceTypes.ReplicaSets, rs.Namespace, rs.Name, o =>
            {
                o["spec"]!["minReadySeconds"] = minReadySeconds;
                return true;
            });
        }
    }

    // Like pod-template-hash: stable for the same template, different when it changes. The same template is the same
    // content, whatever the order of its fields (a create and a replace may default them in another order) and whether an
    // empty field is null or absent, as the controller's hash of a Go struct sees it.
    internal static string TemplateHash(JsonObject template)
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(Canonical(template)?.ToJsonString() ?? "null"))
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

    // Objects with their fields sorted by name and null fields dropped; arrays keep their order.
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };
}
