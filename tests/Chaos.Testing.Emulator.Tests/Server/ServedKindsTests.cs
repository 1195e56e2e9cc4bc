using System.Security.Cryptography.X509Certificates;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>
/// The kinds people's manifests contain, through the C# client's typed operations: what controllers add to every
/// namespace, the scale subresource, EndpointSlices, Events from the controllers, and the stored-only kinds.
/// </summary>
public sealed class ServedKindsTests : EmulatorTest
{
    [Fact]
    public async Task EveryNamespace_GetsTheDefaultServiceAccountAndTheRootCa_RecreatedWhenDeleted()
    {
        // Assert (the namespace was created by the test base)
        await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedServiceAccountAsync("default", Ns), s => s is not null, "the default service account");
        var ca = await Eventually.MatchAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("kube-root-ca.crt", Ns), c => c is not null, "the root CA config map");
        using var certificate = X509Certificate2.CreateFromPem(ca.Data["ca.crt"]);
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Should().ContainSingle().Which.CertificateAuthority.Should().BeTrue();

        // Act
        var first = (await Client.CoreV1.ReadNamespacedServiceAccountAsync("default", Ns)).Metadata.Uid;
        await Client.CoreV1.DeleteNamespacedServiceAccountAsync("default", Ns);

        // Assert
        await Eventually.MatchAsync(
            () => Client.CoreV1.ReadNamespacedServiceAccountAsync("default", Ns), s => s.Metadata.Uid != first, "the service account is recreated");
    }

    [Fact]
    public async Task ScaleSubresource_ReadsAndWritesTheReplicas_OfDeploymentsStatefulSetsAndReplicaSets()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 2);

        // Act
        var read = await Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", Ns);
        var patched = await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("{\"spec\":{\"replicas\":4}}", V1Patch.PatchType.MergePatch), "web", Ns);

        // Assert
        read.Spec.Replicas.Should().Be(2);
        read.Status.Selector.Should().Be("app=web");
        patched.Spec.Replicas.Should().Be(4);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 4);
        var rs = (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items.Single();
        var scale = await Client.AppsV1.ReadNamespacedReplicaSetScaleAsync(rs.Metadata.Name, Ns);
        scale.Spec.Replicas.Should().Be(4, "the ReplicaSet follows its Deployment");
        scale.Spec.Replicas = 1;
        Func<Task> stale = () => Client.AppsV1.ReplaceNamespacedStatefulSetScaleAsync(scale, "missing", Ns);
        await stale.ShouldFailWithAsync(System.Net.HttpStatusCode.NotFound);
        var negative = new V1Scale { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns }, Spec = new V1ScaleSpec { Replicas = -1 } };
        Func<Task> invalid = () => Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(negative, "web", Ns);
        await invalid.ShouldFailWithAsync(System.Net.HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task EndpointSlice_ListsTheServicePods_AndGoesWithTheService()
    {
        // Arrange
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), Ns);
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = Meta("web"),
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }] },
        }, Ns);

        // Act
        var slices = await Eventually.MatchAsync(
            () => Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: "kubernetes.io/service-name=web"),
            l => l.Items.Count == 1 && l.Items[0].Endpoints?.Count(e => e.Conditions.Ready == true) == 2,
            "a slice with the two ready pods");
        await Client.CoreV1.DeleteNamespacedServiceAsync("web", Ns);

        // Assert
        var slice = slices.Items[0];
        slice.AddressType.Should().Be("IPv4");
        slice.Ports.Should().ContainSingle().Which.Port.Should().Be(8080);
        slice.Endpoints.Should().OnlyContain(e => e.TargetRef.Kind == "Pod" && e.Addresses.Count == 1);
        await Eventually.MatchAsync(() => Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns), l => l.Items.Count == 0, "the slice goes with its service");
    }

    [Fact]
    public async Task Controllers_RecordEvents_ForTheObjectsTheyActOn()
    {
        // Act
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), Ns);
        await Client.WaitForDeploymentAvailableAsync(Ns, "web", 1);
        var pod = (await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Single();
        await Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns);

        // Assert
        var events = await Eventually.MatchAsync(
            () => Client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: $"involvedObject.name={pod.Metadata.Name}"),
            l => l.Items.Any(e => e.Reason == "Killing"),
            "the pod's events up to its killing");
        events.Items.Select(e => e.Reason).Should().ContainInOrder("Scheduled", "Pulled", "Created", "Started", "Killing");
        events.Items.Should().OnlyContain(e => e.InvolvedObject.Uid == pod.Metadata.Uid && e.InvolvedObject.Kind == "Pod" && e.Type == "Normal" && e.Count >= 1);
        events.Items.First(e => e.Reason == "Scheduled").Source.Component.Should().Be("default-scheduler");
        var all = (await Client.CoreV1.ListNamespacedEventAsync(Ns)).Items;
        all.Should().Contain(e => e.Reason == "ScalingReplicaSet" && e.InvolvedObject.Kind == "Deployment");
        all.Should().Contain(e => e.Reason == "SuccessfulCreate" && e.InvolvedObject.Kind == "ReplicaSet" && e.Message.StartsWith("Created pod: web-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoredKinds_RoundTrip_ThroughTheirTypedOperations()
    {
        var role = await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = Meta("reader"),
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list"] }],
        }, Ns);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = Meta("reader"),
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "reader" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "default", NamespaceProperty = Ns }],
        }, Ns);
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = Meta("viewer"), Rules = [] });
        await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = Meta("viewer"),
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "viewer" },
        });
        await Client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(new V2HorizontalPodAutoscaler
        {
            Metadata = Meta("web"),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                MaxReplicas = 5,
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web" },
            },
        }, Ns);
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = Meta("token"), StringData = new Dictionary<string, string> { ["a"] = "b" } }, Ns);

        role.Metadata.Uid.Should().NotBeNullOrEmpty();
        (await Client.RbacAuthorizationV1.ListNamespacedRoleBindingAsync(Ns)).Items.Should().ContainSingle().Which.RoleRef.Name.Should().Be("reader");
        (await Client.RbacAuthorizationV1.ReadClusterRoleBindingAsync("viewer")).RoleRef.Kind.Should().Be("ClusterRole");
        (await Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns)).Spec.MaxReplicas.Should().Be(5);
        var resources = await Client.RbacAuthorizationV1.GetAPIResourcesAsync();
        resources.Resources.Select(r => r.Name).Should().Contain(["roles", "clusterroles", "rolebindings", "clusterrolebindings"]);
    }
}
