using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Server;

/// <summary>Server-side printing (<c>as=Table</c>), so <c>kubectl get</c> shows the columns people expect.</summary>
internal static partial class Tables
{
    public static JsonObject Build(ResourceType type, IReadOnlyList<StoredObject> items, long resourceVersion, DateTimeOffset now)
    {
        var (columns, cells) = Layout(type);
        var definitions = new JsonArray();
        foreach (var column in columns)
        {
            definitions.Add(new JsonObject
            {
                ["name"] = column,
                ["type"] = "string",
                ["format"] = column == "Name" ? "name" : string.Empty,
                ["description"] = string.Empty,
                ["priority"] = column is "IP" or "Node" or "Internal-IP" or "First Seen" or "Count" ? 1 : 0,
            });
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var row = new JsonArray();
            foreach (var cell in cells(item.Node, now))
            {
                row.Add(cell);
            }

            rows.Add(new JsonObject
            {
                ["cells"] = row,
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = item.Node["metadata"]!.DeepClone(),
                },
            });
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    private static (string[] Columns, Func<JsonObject, DateTimeOffset, IEnumerable<JsonNode?>> Cells) Layout(ResourceType type)
    {
        if (type == ResourceTypes.Pods)
        {
            return (["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node"], (o, now) =>
            {
                var statuses = o["status"]?["containerStatuses"] as JsonArray ?? [];
                var total = (o["spec"]?["containers"] as JsonArray)?.Count ?? 0;
                var ready = statuses.Count(s => JsonNumbers.IsTrue(s?["ready"]));
                var restarts = statuses.Sum(s => s?["restartCount"]?.ToInt32() ?? 0);
                var phase = o["metadata"]?["deletionTimestamp"] is not null ? "Terminating" : o["status"]?["phase"]?.ToString() ?? "Unknown";
                return [Name(o), $"{ready}/{total}", phase, restarts, Age(o, now), o["status"]?["podIP"]?.ToString() ?? "<none>", o["spec"]?["nodeName"]?.ToString() ?? "<none>"];
            });
        }

        if (type == ResourceTypes.Nodes)
        {
            return (["Name", "Status", "Roles", "Age", "Version"], (o, now) =>
            {
                var ready = (o["status"]?["conditions"] as JsonArray ?? []).Any(c => c?["type"]?.ToString() == "Ready" && c["status"]?.ToString() == "True");
                var status = ready ? "Ready" : "NotReady";
                if (JsonNumbers.IsTrue(o["spec"]?["unschedulable"]))
                {
                    status += ",SchedulingDisabled";
                }

                var roles = (o["metadata"]?["labels"] as JsonObject ?? [])
                    .Where(l => l.Key.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
                    .Select(l => l.Key["node-role.kubernetes.io/".Length..]).ToList();
                return [Name(o), status, roles.Count == 0 ? "<none>" : string.Join(",", roles), Age(o, now), o["status"]?["nodeInfo"]?["kubeletVersion"]?.ToString()];
            });
        }

        if (type == ResourceTypes.Deployments)
        {
            return (["Name", "Ready", "Up-to-date", "Available", "Age"], (o, now) =>
            [
                Name(o),
                $"{Int(o["status"]?["readyReplicas"])}/{Int(o["spec"]?["replicas"])}",
                Int(o["status"]?["updatedReplicas"]),
                Int(o["status"]?["availableReplicas"]),
                Age(o, now),
            ]);
        }

        if (type == ResourceTypes.ReplicaSets || type == ResourceTypes.StatefulSets)
        {
            return (["Name", "Desired", "Current", "Ready", "Age"], (o, now) =>
                [Name(o), Int(o["spec"]?["replicas"]), Int(o["status"]?["replicas"]), Int(o["status"]?["readyReplicas"]), Age(o, now)]);
        }

        if (type == ResourceTypes.Namespaces)
        {
            return (["Name", "Status", "Age"], (o, now) => [Name(o), o["status"]?["phase"]?.ToString(), Age(o, now)]);
        }

        if (type == ResourceTypes.Services)
        {
            return (["Name", "Type", "Cluster-IP", "Age"], (o, now) =>
                [Name(o), o["spec"]?["type"]?.ToString(), o["spec"]?["clusterIP"]?.ToString(), Age(o, now)]);
        }

        return MoreLayouts(type) ?? (["Name", "Age"], (o, now) => [Name(o), Age(o, now)]);
    }

    private static JsonNode? Name(JsonObject o) => o["metadata"]?["name"]?.ToString();

    private static int Int(JsonNode? node) => node is null ? 0 : node.ToInt32();

    private static JsonNode Age(JsonObject o, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(o["metadata"]?["creationTimestamp"]?.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }

        var age = now - created;
        return age.TotalDays >= 2 ? $"{(int)age.TotalDays}d"
            : age.TotalHours >= 2 ? $"{(int)age.TotalHours}h"
            : age.TotalMinutes >= 2 ? $"{(int)age.TotalMinutes}m"
            : $"{Math.Max(0, (int)age.TotalSeconds)}s";
    }
}
