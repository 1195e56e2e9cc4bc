using System.Net;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Runtime.Network;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// kube-proxy and cluster DNS for the process runtime: each Service port's ClusterIP leads to the ready endpoints the
/// endpoints controller lists (spread at random, as kube-proxy's iptables mode does), and
/// <c>&lt;service&gt;.&lt;namespace&gt;.svc.cluster.local</c> resolves to the ClusterIP (to the ready pod IPs for a
/// headless Service). The rules are rewritten only when they change.
/// </summary>
internal sealed class ServiceProxy : IController
{
    private readonly ProcessRuntimeHost _host;
    private readonly ResourceStore _store;
    private string _appliedRoutes = string.Empty;
    private string _appliedRecords = string.Empty;

    public ServiceProxy(ProcessRuntimeHost host, ResourceStore store)
    {
        _host = host;
        _store = store;
    }

    public string Name => "service-proxy";

    public void Reconcile(DateTimeOffset now)
    {
        var (services, _) = _store.List(ResourceTypes.Services, null);
        var routes = new List<ServiceRoute>();
        var records = new SortedDictionary<string, IPAddress[]>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            var spec = service.Node["spec"] as JsonObject;
            var clusterIp = spec?["clusterIP"]?.ToString();
            var endpoints = _store.Get(ResourceTypes.Endpoints, service.Namespace, service.Name)?.Node["subsets"] as JsonArray ?? [];
            var name = $"{service.Name}.{service.Namespace}.svc.cluster.local";
            if (clusterIp is null or "" || clusterIp == "None")
            {
                var podIps = endpoints.SelectMany(s => s?["addresses"] as JsonArray ?? []).Select(a => a?["ip"]?.ToString()).OfType<string>()
                    .Select(IPAddress.Parse).Distinct().ToArray();
                if (podIps.Length > 0)
                {
                    records[name] = podIps;
                }

                continue;
            }

            if (!IPAddress.TryParse(clusterIp, out var ip))
            {
                continue;
            }

            records[name] = [ip];
            foreach (var port in (spec?["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                routes.Add(new ServiceRoute(ip, port["port"]!.ToInt32(), port["protocol"]?.ToString() ?? "TCP", Targets(port, endpoints)));
            }
        }

        var routeKey = string.Join('\n', routes.Select(r => $"{r.ClusterIp}:{r.Port}/{r.Protocol}>{string.Join(',', r.Endpoints)}"));
        if (routeKey != _appliedRoutes)
        {
            _host.Network.SetServices(routes);
            _appliedRoutes = routeKey;
        }

        var recordKey = string.Join('\n', records.Select(r => $"{r.Key}={string.Join<IPAddress>(',', r.Value)}"));
        if (recordKey != _appliedRecords)
        {
            _host.Network.SetDnsRecords(records);
            _appliedRecords = recordKey;
        }
    }

    /// <summary>The ready addresses of the endpoints, each with the port that matches the Service port (by name, or the only one).</summary>
    private static List<IPEndPoint> Targets(JsonObject servicePort, JsonArray subsets)
    {
        var targets = new List<IPEndPoint>();
        var portName = servicePort["name"]?.ToString() ?? string.Empty;
        foreach (var subset in subsets.OfType<JsonObject>())
        {
            var ports = (subset["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var match = ports.FirstOrDefault(p => (p["name"]?.ToString() ?? string.Empty) == portName) ?? (ports.Count == 1 ? ports[0] : null);
            if (match?["port"]?.ToInt32() is not int port)
            {
                continue;
            }

            foreach (var address in subset["addresses"] as JsonArray ?? [])
            {
                if (IPAddress.TryParse(address?["ip"]?.ToString(), out var ip))
                {
                    targets.Add(new IPEndPoint(ip, port));
                }
            }
        }

        return targets.OrderBy(t => t.ToString(), StringComparer.Ordinal).ToList();
    }
}
