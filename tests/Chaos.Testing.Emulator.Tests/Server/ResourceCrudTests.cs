using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>create, get, list and delete for every kind the emulator serves, through the typed client.</summary>
public sealed class ResourceCrudTests : EmulatorTest
{
    [Fact]
    public async Task Namespaces_CreateGetListDelete_RoundTrips()
    {
        // Act
        var created = await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("team-a") });
        var read = await Client.CoreV1.ReadNamespaceAsync("team-a");
        var list = await Client.CoreV1.ListNamespaceAsync();
        using var deleted = await Client.CoreV1.DeleteNamespaceWithHttpMessagesAsync("team-a");

        // Assert
        created.Status.Phase.Should().Be("Active");
        created.Metadata.Labels.Should().Contain("kubernetes.io/metadata.name", "team-a");
        read.Metadata.Uid.Should().Be(created.Metadata.Uid);
        list.Items.Select(n => n.Metadata.Name).Should().Contain(["default", "kube-system", "kube-public", "kube-node-lease", Ns, "team-a"]);
        deleted.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.GoneAsync(() => Client.CoreV1.ReadNamespaceAsync("team-a"), "namespace team-a");
    }

    [Fact]
    public async Task Pods_CreateGetListDelete_RoundTrips()
    {
        // Act
        var created = await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        var read = await Client.CoreV1.ReadNamespacedPodAsync("web", Ns);
        var list = await Client.CoreV1.ListNamespacedPodAsync(Ns);
        var deleted = await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns, gracePeriodSeconds: 0);

        // Assert
        created.Metadata.NamespaceProperty.Should().Be(Ns);
        created.Metadata.Uid.Should().NotBeNullOrEmpty();
        created.Metadata.ResourceVersion.Should().NotBeNullOrEmpty();
        created.Metadata.CreationTimestamp.Should().NotBeNull();
        created.Spec.RestartPolicy.Should().Be("Always", "the API server defaults the pod spec");
        created.Status.Phase.Should().Be("Pending");
        read.Metadata.Uid.Should().Be(created.Metadata.Uid);
        list.Items.Should().ContainSingle().Which.Metadata.Name.Should().Be("web");
        deleted.Metadata.Name.Should().Be("web", "deleting a pod returns the pod");
        await ((Func<Task>)(() => Client.CoreV1.ReadNamespacedPodAsync("web", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Nodes_CreateGetListDelete_RoundTrips()
    {
        // Arrange
        var seeded = await Client.CoreV1.ListNodeAsync();

        // Act
        var created = await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = Meta("node-4") });
        var read = await Client.CoreV1.ReadNodeAsync("node-4");
        var list = await Client.CoreV1.ListNodeAsync();
        await Client.CoreV1.DeleteNodeAsync("node-4");

        // Assert
        seeded.Items.Select(n => n.Metadata.Name).Should().Equal("node-1", "node-2", "node-3");
        seeded.Items.Should().OnlyContain(n => n.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"));
        created.Metadata.NamespaceProperty.Should().BeNull("nodes are cluster-scoped");
        read.Metadata.Uid.Should().Be(created.Metadata.Uid);
        list.Items.Should().HaveCount(4);
        (await Client.CoreV1.ListNodeAsync()).Items.Select(n => n.Metadata.Name).Should().NotContain("node-4");
    }

    [Fact]
    public async Task Services_CreateGetListDelete_AllocatesClusterIp()
    {
        // Act
        var created = await Client.CoreV1.CreateNamespacedServiceAsync(Service("web", "web"), Ns);
        var read = await Client.CoreV1.ReadNamespacedServiceAsync("web", Ns);
        var list = await Client.CoreV1.ListNamespacedServiceAsync(Ns);
        var deleted = await Client.CoreV1.DeleteNamespacedServiceAsync("web", Ns);

        // Assert
        created.Spec.Type.Should().Be("ClusterIP");
        created.Spec.ClusterIP.Should().StartWith("10.43.");
        created.Spec.Ports.Should().ContainSingle().Which.Protocol.Should().Be("TCP");
        read.Spec.ClusterIP.Should().Be(created.Spec.ClusterIP);
        list.Items.Should().ContainSingle();
        deleted.Metadata.Name.Should().Be("web", "deleting a service returns the service");
        await ((Func<Task>)(() => Client.CoreV1.ReadNamespacedServiceAsync("web", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Endpoints_CreateGetListDelete_RoundTrips()
    {
        // Act
        await Client.CoreV1.CreateNamespacedEndpointsAsync(Endpoints("external-db", "192.0.2.50"), Ns);
        var read = await Client.CoreV1.ReadNamespacedEndpointsAsync("external-db", Ns);
        var list = await Client.CoreV1.ListNamespacedEndpointsAsync(Ns);
        var deleted = await Client.CoreV1.DeleteNamespacedEndpointsAsync("external-db", Ns);

        // Assert
        read.Subsets.Should().ContainSingle().Which.Addresses.Should().ContainSingle().Which.Ip.Should().Be("192.0.2.50");
        list.Items.Should().ContainSingle();
        deleted.Status.Should().Be("Success");
        deleted.Details.Name.Should().Be("external-db");
        await ((Func<Task>)(() => Client.CoreV1.ReadNamespacedEndpointsAsync("external-db", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ConfigMaps_CreateGetListDelete_RoundTrips()
    {
        // Act
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings", data: new Dictionary<string, string> { ["mode"] = "chaos" }), Ns);
        var read = await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(Ns);
        var deleted = await Client.CoreV1.DeleteNamespacedConfigMapAsync("settings", Ns);

        // Assert
        created.Kind.Should().Be("ConfigMap");
        created.ApiVersion.Should().Be("v1");
        read.Data.Should().Equal(new Dictionary<string, string> { ["mode"] = "chaos" });
        list.Items.Own().Should().ContainSingle();
        deleted.Status.Should().Be("Success");
        await ((Func<Task>)(() => Client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Events_CreateGetListDelete_FiltersByInvolvedObject()
    {
        // Act
        await Client.CoreV1.CreateNamespacedEventAsync(Event("web.1", Ns, "web"), Ns);
        await Client.CoreV1.CreateNamespacedEventAsync(Event("db.1", Ns, "db"), Ns);
        var read = await Client.CoreV1.ReadNamespacedEventAsync("web.1", Ns);
        var forWeb = await Client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "involvedObject.name=web");
        await Client.CoreV1.DeleteNamespacedEventAsync("web.1", Ns);

        // Assert
        read.Reason.Should().Be("Chaos");
        read.Count.Should().Be(1, "the API server defaults the count of a new event");
        forWeb.Items.Should().ContainSingle().Which.Metadata.Name.Should().Be("web.1");
        (await Client.CoreV1.ListNamespacedEventAsync(Ns)).Items.Select(e => e.Metadata.Name).Should().Equal("db.1");
    }

    [Fact]
    public async Task Deployments_CreateGetListDelete_RoundTrips()
    {
        // Act
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        var read = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns);
        var list = await Client.AppsV1.ListNamespacedDeploymentAsync(Ns);
        var deleted = await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", Ns);

        // Assert
        created.Metadata.Generation.Should().Be(1);
        created.Spec.Strategy.Type.Should().Be("RollingUpdate");
        created.Spec.RevisionHistoryLimit.Should().Be(10);
        read.Spec.Replicas.Should().Be(2);
        list.Items.Should().ContainSingle();
        deleted.Status.Should().Be("Success");
        deleted.Details.Group.Should().Be("apps");
        await ((Func<Task>)(() => Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ReplicaSets_CreateGetListDelete_RoundTrips()
    {
        // Act
        await Client.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSet("cache", 1), Ns);
        var read = await Client.AppsV1.ReadNamespacedReplicaSetAsync("cache", Ns);
        var list = await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns);
        await Client.AppsV1.DeleteNamespacedReplicaSetAsync("cache", Ns);

        // Assert
        read.Spec.Replicas.Should().Be(1);
        list.Items.Should().ContainSingle();
        await ((Func<Task>)(() => Client.AppsV1.ReadNamespacedReplicaSetAsync("cache", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task StatefulSets_CreateGetListDelete_RoundTrips()
    {
        // Act
        var created = await Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("db", 1), Ns);
        var read = await Client.AppsV1.ReadNamespacedStatefulSetAsync("db", Ns);
        var list = await Client.AppsV1.ListNamespacedStatefulSetAsync(Ns);
        await Client.AppsV1.DeleteNamespacedStatefulSetAsync("db", Ns);

        // Assert
        created.Spec.PodManagementPolicy.Should().Be("OrderedReady");
        read.Spec.ServiceName.Should().Be("db");
        list.Items.Should().ContainSingle();
        await ((Func<Task>)(() => Client.AppsV1.ReadNamespacedStatefulSetAsync("db", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DaemonSets_CreateGetListDelete_RoundTrips()
    {
        // Act
        var created = await Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("agent"), Ns);
        var read = await Client.AppsV1.ReadNamespacedDaemonSetAsync("agent", Ns);
        var list = await Client.AppsV1.ListNamespacedDaemonSetAsync(Ns);
        await Client.AppsV1.DeleteNamespacedDaemonSetAsync("agent", Ns);

        // Assert
        created.Spec.Template.Spec.Containers.Should().ContainSingle();
        read.Metadata.Uid.Should().Be(created.Metadata.Uid);
        list.Items.Should().ContainSingle();
        await ((Func<Task>)(() => Client.AppsV1.ReadNamespacedDaemonSetAsync("agent", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PodDisruptionBudgets_CreateGetListDelete_RoundTrips()
    {
        // Act
        var created = await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(DisruptionBudget("web", "web", 1), Ns);
        var read = await Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", Ns);
        var list = await Client.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(Ns);
        await Client.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync("web", Ns);

        // Assert
        created.ApiVersion.Should().Be("policy/v1");
        read.Spec.MinAvailable.Value.Should().Be("1");
        list.Items.Should().ContainSingle();
        await ((Func<Task>)(() => Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task NetworkPolicies_CreateGetListDelete_RoundTrips()
    {
        // Act
        var created = await Client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(DenyAllIngress("deny-all"), Ns);
        var read = await Client.NetworkingV1.ReadNamespacedNetworkPolicyAsync("deny-all", Ns);
        var list = await Client.NetworkingV1.ListNamespacedNetworkPolicyAsync(Ns);
        await Client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync("deny-all", Ns);

        // Assert
        created.ApiVersion.Should().Be("networking.k8s.io/v1");
        read.Spec.PolicyTypes.Should().Equal("Ingress");
        list.Items.Should().ContainSingle();
        await ((Func<Task>)(() => Client.NetworkingV1.ReadNamespacedNetworkPolicyAsync("deny-all", Ns))).ShouldFailWithAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AllNamespaces_ListPods_SpansNamespaces()
    {
        // Arrange
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("other") });
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("a"), Ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("b"), "other");

        // Act
        var list = await Client.CoreV1.ListPodForAllNamespacesAsync();

        // Assert
        list.Items.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}").Should().BeEquivalentTo("shop/a", "other/b");
    }
}
