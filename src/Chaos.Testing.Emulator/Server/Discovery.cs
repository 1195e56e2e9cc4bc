using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Server;

/// <summary>The discovery documents kubectl and clients read to learn what the server serves.</summary>
internal static class Discovery
{
    public const string KubernetesVersion = "v1.31.0";

    private static readonly HashSet<string> AllCategory = ["pods", "services", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "horizontalpodautoscalers"];

    public static JsonObject? TryGet(string path, string serverAddress, IReadOnlyList<ResourceType> types)
    {
        var groupVersions = types.Select(t => (t.Group, t.Version)).Distinct().ToList();
        var trimmed = path.TrimEnd('/');
        if (trimmed == "/version")
        {
            return new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "31",
                ["gitVersion"] = KubernetesVersion + "+chaos-emulator",
                ["gitCommit"] = "0000000000000000000000000000000000000000",
                ["gitTreeState"] = "clean",
                ["buildDate"] = "2026-01-01T00:00:00Z",
                ["goVersion"] = "go1.22.0",
                ["compiler"] = "gc",
                ["platform"] = "linux/amd64",
            };
        }

        if (trimmed == "/api")
        {
            return new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
            };
        }

        if (trimmed == "/apis")
        {
            var groups = new JsonArray();
            foreach (var (group, _) in groupVersions.Where(g => g.Group.Length > 0).DistinctBy(g => g.Group))
            {
                groups.Add(Group(group, groupVersions));
            }

            return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
        }

        if (trimmed == "/api/v1")
        {
            return Resources(string.Empty, "v1", types);
        }

        var segments = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 2 && segments[0] == "apis" && groupVersions.Any(g => g.Group == segments[1]))
        {
            var group = Group(segments[1], groupVersions);
            group["kind"] = "APIGroup";
            group["apiVersion"] = "v1";
            return group;
        }

        if (segments.Length == 3 && segments[0] == "apis" && groupVersions.Contains((segments[1], segments[2])))
        {
            return Resources(segments[1], segments[2], types);
        }

        return null;
    }

    private static JsonObject Group(string group, IReadOnlyList<(string Group, string Version)> groupVersions)
    {
        var versions = new JsonArray();
        foreach (var (_, version) in groupVersions.Where(g => g.Group == group))
        {
            versions.Add(new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version });
        }

        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = versions,
            ["preferredVersion"] = versions[0]!.DeepClone(),
        };
    }

    private static JsonObject Resources(string group, string version, IReadOnlyList<ResourceType> types)
    {
        var resources = new JsonArray();
        foreach (var type in types.Where(t => t.Group == group && t.Version == version))
        {
            var resource = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray(type.Verbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (type.ShortNames.Length > 0)
            {
                resource["shortNames"] = new JsonArray(type.ShortNames.Select(v => (JsonNode)v).ToArray());
            }

            if (AllCategory.Contains(type.Plural))
            {
                resource["categories"] = new JsonArray("all");
            }

            resources.Add(resource);
            foreach (var subresource in type.Subresources)
            {
                resources.Add(Subresource(type, subresource));
            }
        }

        var gv = group.Length == 0 ? version : $"{group}/{version}";
        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = gv, ["resources"] = resources };
    }

    private static JsonObject Subresource(ResourceType type, string subresource)
    {
        var resource = new JsonObject
        {
            ["name"] = $"{type.Plural}/{subresource}",
            ["singularName"] = string.Empty,
            ["namespaced"] = type.Namespaced,
        };
        switch (subresource)
        {
            case "eviction":
                resource["group"] = "policy";
                resource["version"] = "v1";
                resource["kind"] = "Eviction";
                resource["verbs"] = new JsonArray("create");
                break;
            case "scale":
                resource["group"] = "autoscaling";
                resource["version"] = "v1";
                resource["kind"] = "Scale";
                resource["verbs"] = new JsonArray("get", "patch", "update");
                break;
            case "log":
                resource["kind"] = type.Kind;
                resource["verbs"] = new JsonArray("get");
                break;
            case "finalize":
                resource["kind"] = type.Kind;
                resource["verbs"] = new JsonArray("update");
                break;
            default:
                resource["kind"] = type.Kind;
                resource["verbs"] = new JsonArray("get", "patch", "update");
                break;
        }

        return resource;
    }
}
