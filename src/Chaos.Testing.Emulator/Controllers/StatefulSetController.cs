using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// StatefulSets: pods named by ordinal, created in order (each waits for the previous one to be ready unless the
/// policy is Parallel) and removed from the highest ordinal down when scaled in. A new template rolls out one ordinal at
/// a time, highest first, each waiting for the previous to be Ready again (RollingUpdate with its partition; OnDelete
/// waits for pods to be deleted).
/// </summary>
internal sealed class StatefulSetController : IController
{
    private readonly ResourceStore _store;
    private readonly Admission _admission;

    public StatefulSetController(ResourceStore store, Admission admission)
    {
        _store = store;
        _admission = admission;
    }

    public string Name => "statefulset";

    public void Reconcile(DateTimeOffset now)
    {
        var (sets, _) = _store.List(ResourceTypes.StatefulSets, null, s => !s.Terminating);
        ObjectFailures.ForEach(Name, sets, Reconcile);
    }

    private void Reconcile(StoredObject set)
    {
        var spec = set.Node["spec"]!;
        var replicas = spec["replicas"]?.ToInt32() ?? 1;
        var parallel = spec["podManagementPolicy"]?.ToString() == "Parallel";
        var (pods, _) = _store.List(ResourceTypes.Pods, set.Namespace, p => Workloads.IsControlledBy(p, set));
        var revision = $"{set.Name}-{DeploymentController.TemplateHash((JsonObject)spec["template"]!)}";
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

            var pod = Workloads.PodFromTemplate(set, null, name);
            var labels = pod["metadata"]!["labels"]!.AsObject();
            labels["statefulset.kubernetes.io/pod-name"] = name;
            labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture);
            labels[RevisionLabel] = revision;
            pod["spec"]!["hostname"] = name;
            if (spec["serviceName"]?.ToString() is { Length: > 0 } service)
            {
                pod["spec"]!["subdomain"] = service;
            }

            Workloads.CreateChild(_store, _admission, ResourceTypes.Pods, pod);
            if (!parallel)
            {
                break;
            }
        }

        foreach (var pod in pods.Where(p => PodLifecycle.IsActive(p) && Ordinal(set, p) >= replicas).OrderByDescending(p => Ordinal(set, p)))
        {
            PodLifecycle.DeleteGracefully(_store, pod);
        }

        RollOne(set, pods, replicas, revision);
        var active = pods.Where(PodLifecycle.IsActive).ToList();
        var ready = active.Count(Admission.IsPodReady);
        var updated = active.Count(p => p.Labels.GetValueOrDefault(RevisionLabel) == revision);
        _store.Mutate(ResourceTypes.StatefulSets, set.Namespace, set.Name, o =>
        {
            var current = updated == active.Count && active.Count == replicas ? revision : o["status"]?["currentRevision"]?.ToString() ?? revision;
            return ObjectStatus.Set(o, new JsonObject
            {
                ["observedGeneration"] = o["metadata"]!["generation"]!.DeepClone(),
                ["replicas"] = active.Count,
                ["readyReplicas"] = ready,
                ["currentReplicas"] = active.Count(p => p.Labels.GetValueOrDefault(RevisionLabel) == current),
                ["updatedReplicas"] = updated,
                ["availableReplicas"] = ready,
                ["currentRevision"] = current,
                ["updateRevision"] = revision,
            });
        });
    }

    // RollingUpdate: once every pod is Running and Ready and none is terminating, the highest ordinal (from the
    // partition up) still on an old revision is deleted; it comes back with the new template, and the next waits for it.
    private void RollOne(StoredObject set, IReadOnlyList<StoredObject> pods, int replicas, string revision)
    {
        var strategy = set.Node["spec"]!["updateStrategy"];
        if (strategy?["type"]?.ToString() == "OnDelete"
            || pods.Count(p => !p.Terminating && Admission.IsPodReady(p) && Ordinal(set, p) < replicas) < replicas
            || pods.Any(p => p.Terminating))
        {
            return;
        }

        var partition = strategy?["rollingUpdate"]?["partition"]?.ToInt32() ?? 0;
        var outdated = pods.Where(p => Ordinal(set, p) >= partition && Ordinal(set, p) < replicas && p.Labels.GetValueOrDefault(RevisionLabel) != revision)
            .OrderByDescending(p => Ordinal(set, p)).FirstOrDefault();
        if (outdated is not null)
        {
            PodLifecycle.DeleteGracefully(_store, outdated);
        }
    }

    private const string RevisionLabel = "controller-revision-hash";

    private static int Ordinal(StoredObject set, StoredObject pod) =>
        int.TryParse(pod.Name.AsSpan(set.Name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : -1;
}
