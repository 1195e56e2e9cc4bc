using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Server;

/// <content>The columns of Jobs, CronJobs, Events, ServiceAccounts, autoscalers, EndpointSlices and RBAC bindings.</content>
internal static partial class Tables
{
    private static (string[] Columns, Func<JsonObject, DateTimeOffset, IEnumerable<JsonNode?>> Cells)? MoreLayouts(ResourceType type)
    {
        if (type == ResourceTypes.Jobs)
        {
            return (["Name", "Status", "Completions", "Duration", "Age"], (o, now) =>
            {
                var conditions = o["status"]?["conditions"] as JsonArray ?? [];
                var status = conditions.FirstOrDefault(c => c?["type"]?.ToString() is "Complete" or "Failed" or "Suspended" && c["status"]?.ToString() == "True")?["type"]?.ToString() ?? "Running";
                var start = o["status"]?["startTime"]?.ToString();
                var end = o["status"]?["completionTime"]?.ToString();
                var duration = start is null ? string.Empty : Span((end is null ? now : Timestamps.Parse(end)) - Timestamps.Parse(start));
                return [Name(o), status, $"{Int(o["status"]?["succeeded"])}/{Int(o["spec"]?["completions"])}", duration, Age(o, now)];
            });
        }

        if (type == ResourceTypes.CronJobs)
        {
            return (["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"], (o, now) =>
            {
                var last = o["status"]?["lastScheduleTime"]?.ToString();
                return
                [
                    Name(o), o["spec"]?["schedule"]?.ToString(), o["spec"]?["timeZone"]?.ToString() ?? "<none>",
                    JsonNumbers.IsTrue(o["spec"]?["suspend"]) ? "True" : "False", (o["status"]?["active"] as JsonArray)?.Count ?? 0,
                    last is null ? "<none>" : Span(now - Timestamps.Parse(last)), Age(o, now),
                ];
            });
        }

        if (type == ResourceTypes.Events)
        {
            return (["Last Seen", "Type", "Reason", "Object", "Message", "First Seen", "Count"], (o, now) =>
            {
                var last = o["lastTimestamp"]?.ToString() ?? o["eventTime"]?.ToString();
                var first = o["firstTimestamp"]?.ToString() ?? last;
                var involved = o["involvedObject"];
                return
                [
                    last is null ? "<unknown>" : Span(now - Timestamps.Parse(last)), o["type"]?.ToString(), o["reason"]?.ToString(),
                    $"{involved?["kind"]?.ToString().ToLowerInvariant()}/{involved?["name"]}", o["message"]?.ToString(),
                    first is null ? "<unknown>" : Span(now - Timestamps.Parse(first)), Int(o["count"]),
                ];
            });
        }

        if (type == ResourceTypes.ServiceAccounts)
        {
            return (["Name", "Secrets", "Age"], (o, now) => [Name(o), (o["secrets"] as JsonArray)?.Count ?? 0, Age(o, now)]);
        }

        if (type == ResourceTypes.HorizontalPodAutoscalers)
        {
            return (["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"], (o, now) =>
            [
                Name(o), $"{o["spec"]?["scaleTargetRef"]?["kind"]}/{o["spec"]?["scaleTargetRef"]?["name"]}", "<unknown>",
                o["spec"]?["minReplicas"]?.ToInt32() ?? 1, Int(o["spec"]?["maxReplicas"]), Int(o["status"]?["currentReplicas"]), Age(o, now),
            ]);
        }

        if (type == ResourceTypes.EndpointSlices)
        {
            return (["Name", "AddressType", "Ports", "Endpoints", "Age"], (o, now) =>
            {
                var ports = string.Join(",", (o["ports"] as JsonArray ?? []).Select(p => p?["port"]?.ToString()));
                var addresses = (o["endpoints"] as JsonArray ?? []).SelectMany(e => e?["addresses"] as JsonArray ?? []).Select(a => a?.ToString()).ToList();
                return [Name(o), o["addressType"]?.ToString(), ports.Length == 0 ? "<unset>" : ports, addresses.Count == 0 ? "<unset>" : string.Join(",", addresses), Age(o, now)];
            });
        }

        if (type == ResourceTypes.RoleBindings || type == ResourceTypes.ClusterRoleBindings)
        {
            return (["Name", "Role", "Age"], (o, now) => [Name(o), $"{o["roleRef"]?["kind"]}/{o["roleRef"]?["name"]}", Age(o, now)]);
        }

        if (type == ResourceTypes.Roles || type == ResourceTypes.ClusterRoles || type == ResourceTypes.CustomResourceDefinitions)
        {
            return (["Name", "Created At"], (o, _) => [Name(o), o["metadata"]?["creationTimestamp"]?.ToString()]);
        }

        return null;
    }

    private static string Span(TimeSpan span) =>
        span.TotalDays >= 2 ? $"{(int)span.TotalDays}d"
        : span.TotalHours >= 2 ? $"{(int)span.TotalHours}h"
        : span.TotalMinutes >= 2 ? $"{(int)span.TotalMinutes}m"
        : $"{Math.Max(0, (int)span.TotalSeconds)}s";
}
