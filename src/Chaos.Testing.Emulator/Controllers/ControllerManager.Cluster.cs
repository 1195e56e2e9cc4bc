using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <content>Namespace deletion, garbage collection, Service endpoints and PodDisruptionBudget status.</content>
internal sealed partial class ControllerManager
{
    private static readonly ResourceType[] NamespacedTypes = ResourceTypes.All.Where(t => t.Namespaced && t.Verbs.Contains("list")).ToArray();

    private void ReconcileNamespaces()
    {
        var (terminating, _) = _store.List(ResourceTypes.Namespaces, null, n => n.Terminating);
        foreach (var ns in terminating)
        {
            var remaining = 0;
            foreach (var type in NamespacedTypes)
            {
                var (items, _) = _store.List(type, ns.Name);
                remaining += items.Count;
                foreach (var item in items.Where(i => !i.Terminating))
                {
                    if (type == ResourceTypes.Pods)
                    {
                        DeleteGracefully(item);
                    }
                    else
                    {
                        _store.Remove(type, item.Namespace, item.Name, item.Uid);
                    }
                }
            }

            if (remaining == 0 && ns.Node["metadata"]?["finalizers"] is not JsonArray { Count: > 0 })
            {
                _store.Remove(ResourceTypes.Namespaces, null, ns.Name, ns.Uid);
            }
        }
    }

    /// <summary>Background cascading deletion: an object whose owners are all gone is deleted.</summary>
    private void CollectGarbage()
    {
        foreach (var type in NamespacedTypes)
        {
            var (items, _) = _store.List(type, null, o => !o.Terminating && o.Node["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 });
            foreach (var item in items)
            {
                var owners = item.Node["metadata"]!["ownerReferences"]!.AsArray();
                var alive = owners.Any(r =>
                {
                    var ownerType = ResourceTypes.FindByKind(r?["apiVersion"]?.ToString() ?? string.Empty, r?["kind"]?.ToString() ?? string.Empty);
                    return ownerType is null // an owner kind the emulator does not serve is assumed alive
                           || _store.Get(ownerType, ownerType.Namespaced ? item.Namespace : null, r!["name"]!.ToString())?.Uid == r["uid"]?.ToString();
                });
                if (alive)
                {
                    continue;
                }

                if (type == ResourceTypes.Pods)
                {
                    DeleteGracefully(item);
                }
                else
                {
                    _store.Remove(type, item.Namespace, item.Name, item.Uid);
                }
            }
        }
    }

    private void ReconcileEndpoints()
    {
        var (services, _) = _store.List(ResourceTypes.Services, null, s => s.Node["spec"]?["selector"] is JsonObject { Count: > 0 });
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            wanted.Add(service.Key);
            var selector = new JsonObject { ["matchLabels"] = service.Node["spec"]!["selector"]!.DeepClone() };
            var (pods, _) = _store.List(ResourceTypes.Pods, service.Namespace, p =>
                !p.Terminating && SelectorMatcher.Matches(selector, p.Labels) && p.Node["status"]?["podIP"] is not null);
            var ready = new JsonArray();
            var notReady = new JsonArray();
            foreach (var pod in pods.OrderBy(p => p.Node["status"]!["podIP"]!.ToString(), StringComparer.Ordinal))
            {
                var address = new JsonObject
                {
                    ["ip"] = pod.Node["status"]!["podIP"]!.ToString(),
                    ["nodeName"] = NodeOf(pod),
                    ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = pod.Namespace, ["name"] = pod.Name, ["uid"] = pod.Uid },
                };
                (Admission.IsPodReady(pod) ? ready : notReady).Add(address);
            }

            var ports = new JsonArray();
            foreach (var port in service.Node["spec"]?["ports"] as JsonArray ?? [])
            {
                var target = port?["targetPort"];
                var number = target is JsonValue v && v.TryGetValue<int>(out var n) ? n : port!["port"]!.ToInt32();
                var entry = new JsonObject { ["port"] = number, ["protocol"] = port!["protocol"]?.ToString() ?? "TCP" };
                if (port["name"] is { } name)
                {
                    entry["name"] = name.ToString();
                }

                ports.Add(entry);
            }

            var subsets = new JsonArray();
            if (ready.Count + notReady.Count > 0)
            {
                var subset = new JsonObject();
                if (ready.Count > 0)
                {
                    subset["addresses"] = ready;
                }

                if (notReady.Count > 0)
                {
                    subset["notReadyAddresses"] = notReady;
                }

                subset["ports"] = ports;
                subsets.Add(subset);
            }

            var existing = _store.Get(ResourceTypes.Endpoints, service.Namespace, service.Name);
            if (existing is null)
            {
                var endpoints = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = service.Name,
                        ["namespace"] = service.Namespace,
                        ["labels"] = service.Node["metadata"]?["labels"]?.DeepClone() ?? new JsonObject(),
                    },
                    ["subsets"] = subsets,
                };
                _managedEndpoints.Add(service.Key);
                try
                {
                    _store.Create(ResourceTypes.Endpoints, endpoints);
                }
                catch (ApiException ex) when (ex.Code == 409)
                {
                    // Created meanwhile; the next pass updates it.
                }

                continue;
            }

            _managedEndpoints.Add(service.Key);
            _store.Mutate(ResourceTypes.Endpoints, service.Namespace, service.Name, o =>
            {
                if (JsonNode.DeepEquals(o["subsets"], subsets))
                {
                    return false;
                }

                o["subsets"] = subsets;
                return true;
            });
        }

        foreach (var key in _managedEndpoints.Where(k => !wanted.Contains(k)).ToList())
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            _store.Remove(ResourceTypes.Endpoints, key[..slash], key[(slash + 1)..]);
            _managedEndpoints.Remove(key);
        }
    }

    private void ReconcileDisruptionBudgets()
    {
        var (budgets, _) = _store.List(ResourceTypes.PodDisruptionBudgets, null, b => !b.Terminating);
        foreach (var budget in budgets)
        {
            var state = DisruptionBudgets.Compute(_store, budget);
            _store.Mutate(ResourceTypes.PodDisruptionBudgets, budget.Namespace, budget.Name, o =>
            {
                var allowed = state.DisruptionsAllowed > 0;
                var status = new JsonObject
                {
                    ["observedGeneration"] = o["metadata"]!["generation"]?.DeepClone(),
                    ["currentHealthy"] = state.CurrentHealthy,
                    ["desiredHealthy"] = state.DesiredHealthy,
                    ["disruptionsAllowed"] = state.DisruptionsAllowed,
                    ["expectedPods"] = state.ExpectedPods,
                    ["conditions"] = new JsonArray(PodCondition(
                        o["status"]?["conditions"] as JsonArray,
                        "DisruptionAllowed",
                        allowed,
                        allowed ? "SufficientPods" : "InsufficientPods",
                        allowed ? string.Empty : "Not enough pods are healthy to allow a disruption")),
                };
                status["conditions"]![0]!.AsObject().Remove("lastProbeTime");
                status["conditions"]![0]!["observedGeneration"] = o["metadata"]!["generation"]?.DeepClone();
                return SetStatus(o, status);
            });
        }
    }
}
