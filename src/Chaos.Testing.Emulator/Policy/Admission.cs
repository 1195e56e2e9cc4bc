using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Policy;

/// <summary>The defaults and allocations the API server adds on create (defaulting and admission), where tests can see them.</summary>
internal sealed partial class Admission
{
    private int _nextServiceIp = 10;

    /// <summary>Gets or sets the ClusterIP of the n-th Service (from 11): the simulated cluster's 10.43.0.0/16, or the process runtime's range.</summary>
    public Func<int, string> ServiceIp { get; set; } = n => $"10.43.{n / 250 % 250}.{n % 250}";

    public void Apply(ResourceType type, JsonObject obj)
    {
        var metadata = obj["metadata"]!.AsObject();
        if (type == ResourceTypes.Namespaces)
        {
            var labels = metadata["labels"] as JsonObject ?? new JsonObject();
            labels["kubernetes.io/metadata.name"] = metadata["name"]?.ToString();
            metadata.Put("labels", labels);
            obj["spec"] ??= new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (type == ResourceTypes.Pods)
        {
            DefaultPodSpec(obj["spec"]!.AsObject());
            AdmitPodSpec(obj["spec"]!.AsObject());
            obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
        }
        else if (type == ResourceTypes.Services)
        {
            var spec = obj["spec"] as JsonObject ?? new JsonObject();
            obj.Put("spec", spec);
            spec["type"] ??= "ClusterIP";
            spec["sessionAffinity"] ??= "None";
            if (spec["clusterIP"] is null && spec["type"]!.ToString() != "ExternalName")
            {
                var ip = Interlocked.Increment(ref _nextServiceIp);
                spec["clusterIP"] = ServiceIp(ip);
                spec["clusterIPs"] = new JsonArray(spec["clusterIP"]!.ToString());
            }

            foreach (var port in spec["ports"] as JsonArray ?? [])
            {
                port!["protocol"] ??= "TCP";
                port["targetPort"] ??= port["port"]!.DeepClone();
            }

            obj["status"] ??= new JsonObject { ["loadBalancer"] = new JsonObject() };
        }
        else if (type.Group == "apps")
        {
            DefaultApps(type, obj);
            obj["status"] = new JsonObject();
        }
        else if (type == ResourceTypes.PodDisruptionBudgets)
        {
            obj["status"] = new JsonObject
            {
                ["currentHealthy"] = 0,
                ["desiredHealthy"] = 0,
                ["disruptionsAllowed"] = 0,
                ["expectedPods"] = 0,
            };
        }
        else if (type == ResourceTypes.Jobs || type == ResourceTypes.CronJobs)
        {
            ApplyBatch(type, obj);
        }
        else if (type == ResourceTypes.Events)
        {
            obj["firstTimestamp"] ??= obj["eventTime"]?.DeepClone();
            obj["count"] ??= 1;
        }
    }

    /// <summary>
    /// The defaulting the API server applies on every write of an object — create, update and patch alike — unlike
    /// admission (service account, tolerations, allocations), which runs on create: a workload's spec and its pod
    /// template, a pod's spec. Without it, a replaced Deployment's template would differ from the created one by its
    /// defaults, and its controller would roll out a template that did not change.
    /// </summary>
    public static void DefaultOnWrite(ResourceType type, JsonObject obj)
    {
        if (type.Group == "apps" && obj["spec"] is JsonObject)
        {
            DefaultApps(type, obj);
        }
        else if (type == ResourceTypes.Pods && obj["spec"] is JsonObject podSpec)
        {
            DefaultPodSpec(podSpec);
        }
    }

    private static void DefaultApps(ResourceType type, JsonObject obj)
    {
        var spec = obj["spec"]!.AsObject();
        if (type != ResourceTypes.DaemonSets)
        {
            spec["replicas"] ??= 1;
        }

        spec["revisionHistoryLimit"] ??= 10;
        if (type == ResourceTypes.Deployments)
        {
            spec["progressDeadlineSeconds"] ??= 600;
            // As SetDefaults_Deployment: a strategy without a type (Go clients send "strategy": {}) is RollingUpdate.
            var strategy = spec["strategy"] as JsonObject ?? [];
            spec["strategy"] = strategy;
            strategy["type"] ??= "RollingUpdate";
            if (strategy["type"]?.ToString() == "RollingUpdate")
            {
                var rollingUpdate = strategy["rollingUpdate"] as JsonObject ?? [];
                strategy["rollingUpdate"] = rollingUpdate;
                rollingUpdate["maxUnavailable"] ??= "25%";
                rollingUpdate["maxSurge"] ??= "25%";
            }
        }

        if (type == ResourceTypes.StatefulSets)
        {
            spec["podManagementPolicy"] ??= "OrderedReady";
            spec["serviceName"] ??= string.Empty;
        }

        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            DefaultPodSpec(podSpec);
        }
    }

    /// <summary>SetDefaults_PodSpec and its containers': what a pod and every pod template get.</summary>
    public static void DefaultPodSpec(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["securityContext"] ??= new JsonObject();
        foreach (var container in (spec["containers"] as JsonArray ?? []).Concat(spec["initContainers"] as JsonArray ?? []))
        {
            if (container is not JsonObject c)
            {
                continue;
            }

            var image = c["image"]?.ToString() ?? string.Empty;
            c["imagePullPolicy"] ??= image.EndsWith(":latest", StringComparison.Ordinal) || !image.Contains(':', StringComparison.Ordinal) ? "Always" : "IfNotPresent";
            c["terminationMessagePath"] ??= "/dev/termination-log";
            c["terminationMessagePolicy"] ??= "File";
            c["resources"] ??= new JsonObject();
        }
    }

    /// <summary>
    /// The admission plugins of a pod's create: ServiceAccount (the namespace's <c>default</c> account) and
    /// DefaultTolerationSeconds (pods ride out a not-ready or unreachable node for 5 minutes). Pod templates do not get them.
    /// </summary>
    private static void AdmitPodSpec(JsonObject spec)
    {
        spec["serviceAccountName"] ??= "default";
        var tolerations = spec["tolerations"] as JsonArray ?? [];
        foreach (var key in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            if (!tolerations.Any(t => t?["key"]?.ToString() == key))
            {
                tolerations.Add(new JsonObject
                {
                    ["key"] = key,
                    ["operator"] = "Exists",
                    ["effect"] = "NoExecute",
                    ["tolerationSeconds"] = 300,
                });
            }
        }

        spec.Put("tolerations", tolerations);
    }

    public static string FormatTime(DateTimeOffset time) => Timestamps.Format(time);

    public static bool IsPodReady(StoredObject pod) =>
        pod.Node["status"]?["conditions"] is JsonArray conditions
        && conditions.Any(c => c?["type"]?.ToString() == "Ready" && c["status"]?.ToString() == "True");
}
