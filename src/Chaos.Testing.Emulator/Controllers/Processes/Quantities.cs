using System.Text.Json.Nodes;
using k8s.Models;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>Resource quantities of a container's limits, as the process runtime applies them to cgroups.</summary>
internal static class Quantities
{
    /// <summary>A memory quantity in bytes (<c>64Mi</c> → 67108864), or null when none is set.</summary>
    public static long? Bytes(JsonNode? quantity) =>
        quantity is null ? null : (long)decimal.Ceiling(new ResourceQuantity(quantity.ToString()).ToDecimal());

    /// <summary>A CPU quantity in millicores (<c>250m</c> → 250, <c>2</c> → 2000), or null when none is set.</summary>
    public static long? Millicores(JsonNode? quantity) =>
        quantity is null ? null : (long)decimal.Ceiling(new ResourceQuantity(quantity.ToString()).ToDecimal() * 1000);

    /// <summary>
    /// The limits of the pod's cgroup, as the kubelet sets them (<c>ResourceConfigForPod</c>): a resource is limited
    /// only when every container, init containers included, declares a limit of it; the limit is then the larger of the
    /// app containers' sum (with the restartable init containers, which run beside them) and the largest init
    /// container's, plus the pod's <c>overhead</c>. The pod's ephemeral containers, which have no resources of their
    /// own, sit in this cgroup and are held by it.
    /// </summary>
    public static (long? MemoryBytes, long? CpuMillicores) PodLimits(JsonObject? spec)
    {
        var app = (spec?["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var init = (spec?["initContainers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var sidecars = init.Where(c => c["restartPolicy"]?.ToString() == "Always").ToList();
        long? Limit(string resource, Func<JsonNode?, long?> read)
        {
            long? Of(JsonObject c) => read(c["resources"]?["limits"]?[resource]) is { } v && v > 0 ? v : null;
            if (app.Count == 0 || app.Concat(init).Any(c => Of(c) is null))
            {
                return null;
            }

            var running = app.Concat(sidecars).Sum(c => Of(c)!.Value);
            var largestInit = init.Except(sidecars).Select(c => Of(c)!.Value).DefaultIfEmpty(0).Max();
            return Math.Max(running, largestInit) + (read(spec?["overhead"]?[resource]) ?? 0);
        }

        return (Limit("memory", Bytes), Limit("cpu", Millicores));
    }
}
