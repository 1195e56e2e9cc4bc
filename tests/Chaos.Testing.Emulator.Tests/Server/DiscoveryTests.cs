using System.Net;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Server;

public sealed class DiscoveryTests : EmulatorTest
{
    [Fact]
    public async Task Version_GetCode_ReturnsKubernetes131()
    {
        // Act
        var version = await Client.Version.GetCodeAsync();

        // Assert
        version.Major.Should().Be("1");
        version.Minor.Should().Be("31");
        version.GitVersion.Should().StartWith("v1.31.");
        version.Platform.Should().Be("linux/amd64");
    }

    [Fact]
    public async Task Api_GetVersions_ListsV1()
    {
        // Act
        var versions = await Client.Core.GetAPIVersionsAsync();

        // Assert
        versions.Versions.Should().Equal("v1");
        versions.ServerAddressByClientCIDRs.Should().ContainSingle()
            .Which.ServerAddress.Should().Be($"{Cluster.BaseAddress.Host}:{Cluster.BaseAddress.Port}");
    }

    [Fact]
    public async Task Apis_GetGroups_ListsEveryServedGroupWithPreferredVersion()
    {
        // Act
        var groups = await Client.Apis.GetAPIVersionsAsync();

        // Assert
        groups.Groups.Select(g => g.Name).Should().BeEquivalentTo(
            "apps", "policy", "networking.k8s.io", "coordination.k8s.io", "authorization.k8s.io", "batch", "autoscaling", "discovery.k8s.io",
            "apiextensions.k8s.io", "rbac.authorization.k8s.io", "authentication.k8s.io", "events.k8s.io");
        groups.Groups.Should().OnlyContain(g => g.PreferredVersion.Version == (g.Name == "autoscaling" ? "v2" : "v1")
                                                && g.PreferredVersion.GroupVersion == g.PreferredVersion.Version.Insert(0, g.Name + "/"));
    }

    [Fact]
    public async Task ApiV1_GetResources_ListsCoreKindsAndSubresources()
    {
        // Act
        var list = await Client.CoreV1.GetAPIResourcesAsync();

        // Assert
        list.GroupVersion.Should().Be("v1");
        list.Resources.Select(r => r.Name).Should().Contain(
            ["namespaces", "pods", "nodes", "services", "endpoints", "configmaps", "events", "pods/status", "pods/ephemeralcontainers", "pods/log", "namespaces/finalize"]);
        var pods = list.Resources.Single(r => r.Name == "pods");
        pods.Namespaced.Should().BeTrue();
        pods.Kind.Should().Be("Pod");
        pods.ShortNames.Should().Contain("po");
        pods.Verbs.Should().BeEquivalentTo("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
        list.Resources.Single(r => r.Name == "nodes").Namespaced.Should().BeFalse();
    }

    [Fact]
    public async Task ApiV1_PodsEvictionSubresource_IsPolicyV1Eviction()
    {
        // Act
        var list = await Client.CoreV1.GetAPIResourcesAsync();

        // Assert
        var eviction = list.Resources.Should().ContainSingle(r => r.Name == "pods/eviction").Which;
        eviction.Group.Should().Be("policy");
        eviction.Version.Should().Be("v1");
        eviction.Kind.Should().Be("Eviction");
        eviction.Verbs.Should().Equal("create");
        eviction.Namespaced.Should().BeTrue();
    }

    [Fact]
    public async Task AppsV1_GetResources_ListsWorkloadsWithStatus()
    {
        // Act
        var list = await Client.AppsV1.GetAPIResourcesAsync();

        // Assert
        list.GroupVersion.Should().Be("apps/v1");
        list.Resources.Select(r => r.Name).Should().BeEquivalentTo(
            "deployments", "deployments/status", "deployments/scale", "replicasets", "replicasets/status", "replicasets/scale",
            "statefulsets", "statefulsets/status", "statefulsets/scale", "daemonsets", "daemonsets/status");
        list.Resources.Single(r => r.Name == "deployments/scale").Kind.Should().Be("Scale");
        list.Resources.Single(r => r.Name == "deployments").ShortNames.Should().Equal("deploy");
        list.Resources.Single(r => r.Name == "deployments").Categories.Should().Contain("all");
    }

    [Fact]
    public async Task PolicyV1_GetResources_ListsPodDisruptionBudgets()
    {
        // Act
        var list = await Client.PolicyV1.GetAPIResourcesAsync();

        // Assert
        list.GroupVersion.Should().Be("policy/v1");
        var pdb = list.Resources.Should().ContainSingle(r => r.Name == "poddisruptionbudgets").Which;
        pdb.Kind.Should().Be("PodDisruptionBudget");
        pdb.ShortNames.Should().Equal("pdb");
        list.Resources.Select(r => r.Name).Should().Contain("poddisruptionbudgets/status");
    }

    [Fact]
    public async Task NetworkingV1_GetResources_ListsNetworkPolicies()
    {
        // Act
        var list = await Client.NetworkingV1.GetAPIResourcesAsync();

        // Assert
        list.GroupVersion.Should().Be("networking.k8s.io/v1");
        list.Resources.Should().ContainSingle().Which.Should().Match<V1APIResource>(r => r.Name == "networkpolicies" && r.Kind == "NetworkPolicy" && r.Namespaced);
    }

    [Fact]
    public async Task AuthorizationV1_GetResources_ListsCreateOnlySelfSubjectAccessReviews()
    {
        // Act
        var list = await Client.AuthorizationV1.GetAPIResourcesAsync();

        // Assert
        list.GroupVersion.Should().Be("authorization.k8s.io/v1");
        var review = list.Resources.Should().ContainSingle().Which;
        review.Name.Should().Be("selfsubjectaccessreviews");
        review.Namespaced.Should().BeFalse();
        review.Verbs.Should().Equal("create");
    }

    [Theory]
    [InlineData("/version", "gitVersion")]
    [InlineData("/api", "versions")]
    [InlineData("/apis", "groups")]
    [InlineData("/api/v1", "resources")]
    [InlineData("/apis/apps/v1", "resources")]
    [InlineData("/apis/policy/v1", "resources")]
    [InlineData("/apis/networking.k8s.io/v1", "resources")]
    [InlineData("/apis/authorization.k8s.io/v1", "resources")]
    [InlineData("/apis/apps", "preferredVersion")]
    public async Task RawGet_DiscoveryPath_AnswersJsonDocument(string path, string field)
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };

        // Act
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body[field].Should().NotBeNull($"{path} should carry \"{field}\"");
    }

    [Fact]
    public async Task RawGet_UnknownGroupVersion_Answers404Status()
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };

        // Act
        using var response = await http.GetAsync(new Uri("/apis/example.com/v1", UriKind.Relative));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync());
        status.Reason.Should().Be("NotFound");
        status.Code.Should().Be(404);
    }
}
