using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// EndpointSlices (discovery.k8s.io/v1): every Service with a selector gets one IPv4 slice, owned by the Service and
/// labelled with its name, listing its pods with an IP and their ready / serving / terminating conditions; the slice goes
/// with the Service (garbage collection) or when its selector is removed.
/// </summary>
internal sealed class EndpointSliceController : IController
{
    public const string ManagedBy = "endpointslice-controller.k8s.io";

    private readonly ResourceStore _store;
    private readonly Admission _admission;

    public EndpointSliceController(ResourceStore store, Admission admission)
    {
        _store = store;
        _admission = admission;
    }

    public string Name => "endpointslice";

    public void Reconcile(DateTimeOffset now)
    {
        var (services, _) = _store.List(ResourceTypes.Services, null, s => !s.Terminating);
        var selected = services.Where(s => s.Node["spec"]?["selector"] is JsonObject { Count: > 0 }).ToDictionary(s => s.Uid, StringComparer.Ordinal);
        var (slices, _) = _store.List(ResourceTypes.EndpointSlices, null, s =>
            s.Labels.TryGetValue("endpointslice.kubernetes.io/managed-by", out var by) && by == ManagedBy);
        var failures = new ObjectFailures(Name);
        foreach (var service in selected.Values)
        {
            var own = slices.Where(s => Workloads.IsControlledBy(s, service)).ToList();
            failures.Run(service, () => Reconcile(service, own));
        }

        // A Service that lost its selector keeps no slice (a deleted one's slices go with it through the garbage collector).
        foreach (var stale in slices.Where(s => !Deletion.OwnerUids(s).Any(selected.ContainsKey)
                                                && services.Any(svc => Workloads.IsControlledBy(s, svc))))
        {
            failures.Run(stale, () => Deletion.Delete(_store, stale));
        }

        failures.ThrowIfAny();
    }

    private void Reconcile(StoredObject service, List<StoredObject> own)
    {
        var (endpoints, ports) = Build(service);
        if (own.Count == 0)
        {
            var slice = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["generateName"] = $"{service.Name}-",
                    ["namespace"] = service.Namespace,
                    ["labels"] = new JsonObject
                    {
                        ["kubernetes.io/service-name"] = service.Name,
                        ["endpointslice.kubernetes.io/managed-by"] = ManagedBy,
                    },
                    ["ownerReferences"] = Workloads.OwnerReference(service),
                },
                ["addressType"] = "IPv4",
                ["endpoints"] = endpoints,
                ["ports"] = ports,
            };
            Workloads.CreateChild(_store, _admission, ResourceTypes.EndpointSlices, slice);
            return;
        }

        foreach (var extra in own.Skip(1))
        {
            Deletion.Delete(_store, extra);
        }

        _store.Mutate(ResourceTypes.EndpointSlices, own[0].Namespace, own[0].Name, o =>
        {
            if (JsonNode.DeepEquals(o["endpoints"], endpoints) && JsonNode.DeepEquals(o["ports"], ports))
            {
                return false;
            }

            o["endpoints"] = endpoints;
            o["ports"] = ports;
            return true;
        });
    }

    private (JsonArray Endpoints, JsonArray Ports) Build(StoredObject service)
    {
        var selector = new JsonObject { ["matchLabels"] = service.Node["spec"]!["selector"]!.DeepClone() };
        var (pods, _) = _store.List(ResourceTypes.Pods, service.Namespace, p =>
            SelectorMatcher.Matches(selector, p.Labels) && p.Node["status"]?["podIP"] is not null
            && p.Node["status"]?["phase"]?.ToString() is not ("Succeeded" or "Failed"));
        var endpoints = new JsonArray();
        foreach (var pod in pods.OrderBy(p => p.Node["status"]!["podIP"]!.ToString(), StringComparer.Ordinal))
        {
            var ready = Admission.IsPodReady(pod);
            endpoints.Add(new JsonObject
            {
                ["addresses"] = new JsonArray(pod.Node["status"]!["podIP"]!.ToString()),
                ["conditions"] = new JsonObject { ["ready"] = ready && !pod.Terminating, ["serving"] = ready, ["terminating"] = pod.Terminating },
                ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = pod.Namespace, ["name"] = pod.Name, ["uid"] = pod.Uid },
                ["nodeName"] = PodLifecycle.NodeOf(pod),
            });
        }

        var ports = new JsonArray();
        foreach (var port in service.Node["spec"]?["ports"] as JsonArray ?? [])
        {
            var target = port?["targetPort"];
            var number = target is JsonValue v && v.TryGetValue<int>(out var n) ? n : port!["port"]!.ToInt32();
            ports.Add(new JsonObject
            {
                ["name"] = port!["name"]?.ToString() ?? string.Empty,
                ["port"] = number,
                ["protocol"] = port["protocol"]?.ToString() ?? "TCP",
            });
        }

        return (endpoints, ports);
    }
}
