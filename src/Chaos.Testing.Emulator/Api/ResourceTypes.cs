namespace Chaos.Testing.Emulator.Api;

/// <summary>The table of every resource the emulator serves.</summary>
internal static class ResourceTypes
{
    private static readonly string[] CrudVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static readonly ResourceType Namespaces = Core("namespaces", "namespace", "Namespace", false, ["ns"], ["status", "finalize"]);
    public static readonly ResourceType Pods = Core("pods", "pod", "Pod", true, ["po"], ["status", "eviction", "ephemeralcontainers", "log"]);
    public static readonly ResourceType Nodes = Core("nodes", "node", "Node", false, ["no"], ["status"]);
    public static readonly ResourceType Services = Core("services", "service", "Service", true, ["svc"], ["status"]);
    public static readonly ResourceType Endpoints = Core("endpoints", "endpoints", "Endpoints", true, ["ep"], []);
    public static readonly ResourceType ConfigMaps = Core("configmaps", "configmap", "ConfigMap", true, ["cm"], []);
    public static readonly ResourceType Secrets = Core("secrets", "secret", "Secret", true, [], []);
    public static readonly ResourceType Events = Core("events", "event", "Event", true, ["ev"], []);
    public static readonly ResourceType Deployments = Apps("deployments", "deployment", "Deployment", ["deploy"]);
    public static readonly ResourceType ReplicaSets = Apps("replicasets", "replicaset", "ReplicaSet", ["rs"]);
    public static readonly ResourceType StatefulSets = Apps("statefulsets", "statefulset", "StatefulSet", ["sts"]);
    public static readonly ResourceType DaemonSets = Apps("daemonsets", "daemonset", "DaemonSet", ["ds"]);

    public static readonly ResourceType PodDisruptionBudgets = new(
        "policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, ["pdb"], ["status"], CrudVerbs);

    public static readonly ResourceType NetworkPolicies = new(
        "networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, ["netpol"], [], CrudVerbs);

    public static readonly ResourceType Leases = new(
        "coordination.k8s.io", "v1", "leases", "lease", "Lease", true, [], [], CrudVerbs);

    public static readonly ResourceType SelfSubjectAccessReviews = new(
        "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, [], [], ["create"]);

    public static readonly IReadOnlyList<ResourceType> All =
    [
        Namespaces, Pods, Nodes, Services, Endpoints, ConfigMaps, Secrets, Events,
        Deployments, ReplicaSets, StatefulSets, DaemonSets,
        PodDisruptionBudgets, NetworkPolicies, Leases, SelfSubjectAccessReviews,
    ];

    /// <summary>Group versions in the order discovery lists them.</summary>
    public static readonly IReadOnlyList<(string Group, string Version)> GroupVersions =
        All.Select(t => (t.Group, t.Version)).Distinct().ToList();

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    public static ResourceType? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    private static ResourceType Core(string plural, string singular, string kind, bool namespaced, string[] shortNames, string[] subresources) =>
        new("", "v1", plural, singular, kind, namespaced, shortNames, subresources, CrudVerbs);

    private static ResourceType Apps(string plural, string singular, string kind, string[] shortNames) =>
        new("apps", "v1", plural, singular, kind, true, shortNames, ["status"], CrudVerbs);
}
