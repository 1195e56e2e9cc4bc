using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Service endpoints: every Service with a selector gets an Endpoints object listing its pods with an IP, ready or not;
/// the Endpoints it created are removed when their Service (or its selector) goes.
/// </summary>
internal sealed class EndpointsController : IController
{
    private readonly ResourceStore _store;
    private readonly HashSet<string> _managedEndpoints = new(StringComparer.Ordinal);

    public EndpointsController(ResourceStore store) => _store = store;

    public string Name => "endpoints";

    public void Reconcile(DateTimeOffset now)
    {
        var (services, _) = _store.List(ResourceTypes.Services, null, s => s.Node["spec"]?["selector"] is JsonObject { Count: > 0 });
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var failures = new ObjectFailures(Name);
        foreach (var service in services)
        {
            wanted.Add(service.Key);
            failures.Run(service, () => Reconcile(service));
        }

        foreach (var key in _managedEndpoints.Where(k => !wanted.Contains(k)).ToList())
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            _store.Remove(ResourceTypes.Endpoints, key[..slash], key[(slash + 1)..]);
            _managedEndpoints.Remove(key);
        }

        failures.ThrowIfAny();
    }

    private void Reconcile(StoredObject service)
    {
        var subsets = Subsets(service);
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

            return;
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

    private JsonArray Subsets(StoredObject service)
    {
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
                ["nodeName"] = PodLifecycle.NodeOf(pod),
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

        return subsets;
    }
}
