using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>Small, valid objects for tests, built with the client's own models.</summary>
public static class Manifests
{
    public const string Image = "nginx:1.25";

    public static V1ObjectMeta Meta(string name, IDictionary<string, string>? labels = null, string? ns = null) =>
        new() { Name = name, NamespaceProperty = ns, Labels = labels };

    public static V1Pod Pod(string name, IDictionary<string, string>? labels = null, IDictionary<string, string>? nodeSelector = null) => new()
    {
        Metadata = Meta(name, labels),
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "app", Image = Image }],
            NodeSelector = nodeSelector,
        },
    };

    /// <summary>A pod that no node can run (its node selector matches nothing), so controllers leave it Pending.</summary>
    public static V1Pod UnschedulablePod(string name, IDictionary<string, string>? labels = null) =>
        Pod(name, labels, new Dictionary<string, string> { ["example.com/no-such-node"] = "true" });

    public static V1ConfigMap ConfigMap(string name, IDictionary<string, string>? labels = null, IDictionary<string, string>? data = null) => new()
    {
        Metadata = Meta(name, labels),
        Data = data ?? new Dictionary<string, string> { ["key"] = "value" },
    };

    public static V1PodTemplateSpec Template(string app, IList<V1Toleration>? tolerations = null, IDictionary<string, string>? nodeSelector = null) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "app", Image = Image }],
            Tolerations = tolerations,
            NodeSelector = nodeSelector,
        },
    };

    public static V1LabelSelector Selector(string app) => new() { MatchLabels = new Dictionary<string, string> { ["app"] = app } };

    public static V1Deployment Deployment(string name, int replicas, IList<V1Toleration>? tolerations = null, IDictionary<string, string>? nodeSelector = null) => new()
    {
        Metadata = Meta(name, new Dictionary<string, string> { ["app"] = name }),
        Spec = new V1DeploymentSpec { Replicas = replicas, Selector = Selector(name), Template = Template(name, tolerations, nodeSelector) },
    };

    public static V1StatefulSet StatefulSet(string name, int replicas) => new()
    {
        Metadata = Meta(name),
        Spec = new V1StatefulSetSpec { Replicas = replicas, ServiceName = name, Selector = Selector(name), Template = Template(name) },
    };

    public static V1DaemonSet DaemonSet(string name) => new()
    {
        Metadata = Meta(name),
        Spec = new V1DaemonSetSpec { Selector = Selector(name), Template = Template(name) },
    };

    public static V1ReplicaSet ReplicaSet(string name, int replicas) => new()
    {
        Metadata = Meta(name),
        Spec = new V1ReplicaSetSpec { Replicas = replicas, Selector = Selector(name), Template = Template(name) },
    };

    public static V1Service Service(string name, string app) => new()
    {
        Metadata = Meta(name),
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string> { ["app"] = app },
            Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }],
        },
    };

    public static V1PodDisruptionBudget DisruptionBudget(string name, string app, int minAvailable) => new()
    {
        Metadata = Meta(name),
        Spec = new V1PodDisruptionBudgetSpec { MinAvailable = minAvailable, Selector = Selector(app) },
    };

    public static V1NetworkPolicy DenyAllIngress(string name) => new()
    {
        Metadata = Meta(name),
        Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"] },
    };

    public static Corev1Event Event(string name, string ns, string podName) => new()
    {
        Metadata = Meta(name),
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = podName, NamespaceProperty = ns, ApiVersion = "v1" },
        Reason = "Chaos",
        Message = "a pod was disrupted on purpose",
        Type = "Warning",
        Source = new V1EventSource { Component = "chaos-tests" },
    };

    public static V1Endpoints Endpoints(string name, string ip) => new()
    {
        Metadata = Meta(name),
        Subsets =
        [
            new V1EndpointSubset
            {
                Addresses = [new V1EndpointAddress { Ip = ip }],
                Ports = [new Corev1EndpointPort { Name = "http", Port = 8080 }],
            },
        ],
    };

    public static Dictionary<string, string> Labels(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
