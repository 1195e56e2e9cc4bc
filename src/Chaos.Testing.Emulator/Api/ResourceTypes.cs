using k8s.Models;

namespace Chaos.Testing.Emulator.Api;

/// <summary>The table of every resource the emulator serves.</summary>
internal static class ResourceTypes
{
    private static readonly string[] CrudVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static readonly ResourceType Namespaces = Core(
        "namespaces", "namespace", "Namespace", false, ["ns"], ["status", "finalize"], typeof(V1Namespace));
    public static readonly ResourceType Pods = Core(
        "pods", "pod", "Pod", true, ["po"], ["status", "eviction", "ephemeralcontainers", "log"], typeof(V1Pod));
    public static readonly ResourceType Nodes = Core("nodes", "node", "Node", false, ["no"], ["status"], typeof(V1Node));
    public static readonly ResourceType Services = Core("services", "service", "Service", true, ["svc"], ["status"], typeof(V1Service));
    public static readonly ResourceType Endpoints = Core("endpoints", "endpoints", "Endpoints", true, ["ep"], [], typeof(V1Endpoints));
    public static readonly ResourceType ConfigMaps = Core("configmaps", "configmap", "ConfigMap", true, ["cm"], [], typeof(V1ConfigMap));
    public static readonly ResourceType Secrets = Core("secrets", "secret", "Secret", true, [], [], typeof(V1Secret));
    public static readonly ResourceType Events = Core("events", "event", "Event", true, ["ev"], [], typeof(Corev1Event));
    public static readonly ResourceType Deployments = Apps("deployments", "deployment", "Deployment", ["deploy"], typeof(V1Deployment));
    public static readonly ResourceType ReplicaSets = Apps("replicasets", "replicaset", "ReplicaSet", ["rs"], typeof(V1ReplicaSet));
    public static readonly ResourceType StatefulSets = Apps("statefulsets", "statefulset", "StatefulSet", ["sts"], typeof(V1StatefulSet));
    public static readonly ResourceType DaemonSets = new(
        "apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, ["ds"], ["status"], CrudVerbs, typeof(V1DaemonSet));

    public static readonly ResourceType PodDisruptionBudgets = new(
        "policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, ["pdb"], ["status"], CrudVerbs,
        typeof(V1PodDisruptionBudget));

    public static readonly ResourceType NetworkPolicies = new(
        "networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, ["netpol"], [], CrudVerbs,
        typeof(V1NetworkPolicy));

    public static readonly ResourceType Leases = new(
        "coordination.k8s.io", "v1", "leases", "lease", "Lease", true, [], [], CrudVerbs, typeof(V1Lease));

    public static readonly ResourceType ServiceAccounts = Core(
        "serviceaccounts", "serviceaccount", "ServiceAccount", true, ["sa"], [], typeof(V1ServiceAccount));

    public static readonly ResourceType Jobs = new(
        "batch", "v1", "jobs", "job", "Job", true, [], ["status"], CrudVerbs, typeof(V1Job));

    public static readonly ResourceType CronJobs = new(
        "batch", "v1", "cronjobs", "cronjob", "CronJob", true, ["cj"], ["status"], CrudVerbs, typeof(V1CronJob));

    public static readonly ResourceType HorizontalPodAutoscalers = new(
        "autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true, ["hpa"], ["status"],
        CrudVerbs, typeof(V2HorizontalPodAutoscaler));

    public static readonly ResourceType EndpointSlices = new(
        "discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, [], [], CrudVerbs, typeof(V1EndpointSlice));

    public static readonly ResourceType CustomResourceDefinitions = new(
        "apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false,
        ["crd", "crds"], ["status"], CrudVerbs, typeof(V1CustomResourceDefinition));

    public static readonly ResourceType Roles = Rbac("roles", "role", "Role", true, typeof(V1Role));
    public static readonly ResourceType ClusterRoles = Rbac("clusterroles", "clusterrole", "ClusterRole", false, typeof(V1ClusterRole));
    public static readonly ResourceType RoleBindings = Rbac("rolebindings", "rolebinding", "RoleBinding", true, typeof(V1RoleBinding));
    public static readonly ResourceType ClusterRoleBindings = Rbac(
        "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, typeof(V1ClusterRoleBinding));

    public static readonly ResourceType SelfSubjectAccessReviews = new(
        "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, [], [],
        ["create"], typeof(V1SelfSubjectAccessReview));

    public static readonly ResourceType SelfSubjectReviews = new(
        "authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", false, [], [],
        ["create"], typeof(V1SelfSubjectReview));

    /// <summary>The beta version kubectl 1.27 asks (the same shape; the API server of 1.31 still serves it).</summary>
    public static readonly ResourceType SelfSubjectReviewsV1Beta1 = SelfSubjectReviews with { Version = "v1beta1" };

    /// <summary><c>autoscaling/v1</c>: a view of the stored <c>autoscaling/v2</c> objects (see <see cref="Views"/>).</summary>
    public static readonly ResourceType HorizontalPodAutoscalersV1 = new(
        "autoscaling", "v1", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true, ["hpa"], ["status"],
        CrudVerbs, typeof(V1HorizontalPodAutoscaler));

    /// <summary><c>events.k8s.io/v1</c>: a view of the stored core <c>v1</c> events (see <see cref="Views"/>).</summary>
    public static readonly ResourceType EventsV1 = new(
        "events.k8s.io", "v1", "events", "event", "Event", true, ["ev"], [], CrudVerbs, typeof(Eventsv1Event));

    /// <summary>The types stored (each has its own objects).</summary>
    public static readonly IReadOnlyList<ResourceType> All =
    [
        Namespaces, Pods, Nodes, Services, Endpoints, ConfigMaps, Secrets, Events,
        Deployments, ReplicaSets, StatefulSets, DaemonSets,
        PodDisruptionBudgets, NetworkPolicies, Leases, SelfSubjectAccessReviews, SelfSubjectReviews, SelfSubjectReviewsV1Beta1,
        ServiceAccounts, Jobs, CronJobs, HorizontalPodAutoscalers, EndpointSlices, CustomResourceDefinitions,
        Roles, ClusterRoles, RoleBindings, ClusterRoleBindings,
    ];

    /// <summary>
    /// Other versions of stored types, as the API server serves one stored object in several versions: each is read
    /// from and written to its storage type, converted on the way (<see cref="VersionConversion"/>).
    /// </summary>
    public static readonly IReadOnlyList<ResourceType> Views = [HorizontalPodAutoscalersV1, EventsV1];

    /// <summary>Every built-in type served: the stored ones, then the other versions (so discovery prefers the stored version).</summary>
    public static readonly IReadOnlyList<ResourceType> Served = [.. All, .. Views];

    /// <summary>Group versions in the order discovery lists them.</summary>
    public static readonly IReadOnlyList<(string Group, string Version)> GroupVersions =
        Served.Select(t => (t.Group, t.Version)).Distinct().ToList();

    /// <summary>The type whose objects a served type reads and writes: itself, or the stored type of a view.</summary>
    public static ResourceType StorageOf(ResourceType type) =>
        type == HorizontalPodAutoscalersV1 ? HorizontalPodAutoscalers : type == EventsV1 ? Events : type;

    public static ResourceType? Find(string group, string version, string plural) =>
        Served.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    public static ResourceType? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    private static ResourceType Core(
        string plural, string singular, string kind, bool namespaced, string[] shortNames, string[] subresources, Type model) =>
        new("", "v1", plural, singular, kind, namespaced, shortNames, subresources, CrudVerbs, model);

    private static ResourceType Apps(string plural, string singular, string kind, string[] shortNames, Type model) =>
        new("apps", "v1", plural, singular, kind, true, shortNames, ["status", "scale"], CrudVerbs, model);

    private static ResourceType Rbac(string plural, string singular, string kind, bool namespaced, Type model) =>
        new("rbac.authorization.k8s.io", "v1", plural, singular, kind, namespaced, [], [], CrudVerbs, model);
}
