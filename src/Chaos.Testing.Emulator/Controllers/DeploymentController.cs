using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Deployments: one ReplicaSet per pod template (named by its hash, as pod-template-hash), the current one scaled to
/// the Deployment's replicas and the others to zero, and the Available and Progressing conditions.
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
        if (current is null)
        {
            CreateReplicaSet(deployment, template, hash, replicas, revision: owned.Count + 1);
            return;
        }

        SetReplicas(deployment, current, replicas);
        foreach (var old in owned.Where(rs => rs != current))
        {
            // Rollouts are immediate here: old ReplicaSets scale to zero as soon as the new one exists.
            SetReplicas(deployment, old, 0);
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
            ["spec"] = new JsonObject { ["replicas"] = replicas, ["selector"] = selector, ["template"] = template },
        };
        Workloads.CreateChild(_store, _admission, ResourceTypes.ReplicaSets, rs);
        _events.Normal(deployment, "deployment-controller", "ScalingReplicaSet", $"Scaled up replica set {deployment.Name}-{hash} from 0 to {replicas}");
    }

    private void SetReplicas(StoredObject deployment, StoredObject rs, int replicas)
    {
        var from = rs.Node["spec"]!["replicas"]?.ToInt32() ?? 1;
        var changed = _store.Mutate(ResourceTypes.ReplicaSets, rs.Namespace, rs.Name, o =>
        {
            if (o["spec"]!["replicas"]?.ToInt32() == replicas)
            {
                return false;
            }

            o["spec"]!["replicas"] = replicas;
            return true;
        });
        if (changed is not null && changed.ResourceVersion != rs.ResourceVersion && from != replicas)
        {
            var direction = replicas > from ? "up" : "down";
            _events.Normal(deployment, "deployment-controller", "ScalingReplicaSet", $"Scaled {direction} replica set {rs.Name} from {from} to {replicas}");
        }
    }

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
