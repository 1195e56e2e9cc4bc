using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// The Deployment controller's RollingUpdate strategy, step by step as Kubernetes takes it: the new ReplicaSet grows
/// while all ReplicaSets together stay within replicas + maxSurge, and old ReplicaSets shrink only while the pods
/// available (Ready for minReadySeconds, as their ReplicaSets report) stay at least replicas - maxUnavailable.
/// </summary>
internal static class RollingUpdate
{
    /// <summary>The new ReplicaSet's replicas after one scale-up step (never above <paramref name="desired"/>).</summary>
    /// <param name="spec">The Deployment's spec.</param>
    /// <param name="desired">The Deployment's replicas.</param>
    /// <param name="newReplicas">The new ReplicaSet's replicas now.</param>
    /// <param name="old">The other ReplicaSets of the Deployment.</param>
    public static int NewReplicas(JsonNode spec, int desired, int newReplicas, IReadOnlyList<StoredObject> old)
    {
        if (newReplicas >= desired)
        {
            return desired;
        }

        var (maxSurge, _) = Limits(spec, desired);
        var total = newReplicas + old.Sum(Replicas);
        var room = desired + maxSurge - total;
        return room <= 0 ? newReplicas : newReplicas + Math.Min(room, desired - newReplicas);
    }

    /// <summary>
    /// The old ReplicaSets' replicas after one scale-down step: first the pods that are not available (they cost no
    /// availability), then available ones down to replicas - maxUnavailable, oldest ReplicaSet first.
    /// </summary>
    /// <param name="spec">The Deployment's spec.</param>
    /// <param name="desired">The Deployment's replicas.</param>
    /// <param name="current">The new ReplicaSet.</param>
    /// <param name="old">The other ReplicaSets.</param>
    /// <returns>The replicas each old ReplicaSet should have.</returns>
    public static Dictionary<StoredObject, int> OldReplicas(JsonNode spec, int desired, StoredObject current, IReadOnlyList<StoredObject> old)
    {
        var target = old.ToDictionary(rs => rs, Replicas);
        if (target.Values.Sum() == 0)
        {
            return target;
        }

        var (_, maxUnavailable) = Limits(spec, desired);
        var minAvailable = desired - maxUnavailable;
        var newUnavailable = Replicas(current) - Available(current);
        var maxScaledDown = target.Values.Sum() + Replicas(current) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return target;
        }

        var oldestFirst = old.OrderBy(rs => rs.Node["metadata"]?["creationTimestamp"]?.ToString(), StringComparer.Ordinal).ThenBy(rs => rs.Name, StringComparer.Ordinal).ToList();
        var cleaned = 0;
        foreach (var rs in oldestFirst)
        {
            var unhealthy = Math.Min(maxScaledDown - cleaned, target[rs] - Math.Min(target[rs], Available(rs)));
            if (unhealthy > 0)
            {
                target[rs] -= unhealthy;
                cleaned += unhealthy;
            }
        }

        var available = Available(current) + old.Sum(Available);
        var scaleDown = available - minAvailable;
        foreach (var rs in oldestFirst)
        {
            var step = Math.Min(target[rs], scaleDown);
            if (step <= 0)
            {
                break;
            }

            target[rs] -= step;
            scaleDown -= step;
        }

        return target;
    }

    /// <summary>maxSurge (rounded up) and maxUnavailable (rounded down) resolved against the replicas; both zero means one unavailable.</summary>
    public static (int MaxSurge, int MaxUnavailable) Limits(JsonNode spec, int desired)
    {
        var rolling = spec["strategy"]?["rollingUpdate"];
        var maxSurge = Resolve(rolling?["maxSurge"], desired, roundUp: true, fallback: Math.Max(1, (desired + 3) / 4));
        var maxUnavailable = Resolve(rolling?["maxUnavailable"], desired, roundUp: false, fallback: desired / 4);
        if (maxUnavailable > desired)
        {
            maxUnavailable = desired;
        }

        return maxSurge == 0 && maxUnavailable == 0 ? (0, 1) : (maxSurge, maxUnavailable);
    }

    /// <summary>An int-or-percent field (maxSurge, maxUnavailable) against a total.</summary>
    public static int Resolve(JsonNode? value, int total, bool roundUp, int fallback)
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

    private static int Replicas(StoredObject rs) => rs.Node["spec"]?["replicas"]?.ToInt32() ?? 0;

    private static int Available(StoredObject rs) => rs.Node["status"]?["availableReplicas"]?.ToInt32() ?? 0;
}
