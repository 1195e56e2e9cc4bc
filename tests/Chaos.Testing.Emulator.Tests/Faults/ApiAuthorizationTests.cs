using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Faults;

/// <summary>Deny rules, the 403 answers they produce and what SelfSubjectAccessReview reports.</summary>
public sealed class ApiAuthorizationTests : EmulatorTest
{
    private Task<V1SelfSubjectAccessReview> ReviewAsync(string verb, string resource, string? ns, string? subresource = null) =>
        Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { Verb = verb, Resource = resource, Subresource = subresource, NamespaceProperty = ns },
            },
        });

    [Fact]
    public async Task SelfSubjectAccessReview_NothingDenied_IsAllowed()
    {
        // Act
        var review = await ReviewAsync("delete", "pods", Ns);

        // Assert
        review.Kind.Should().Be("SelfSubjectAccessReview");
        review.ApiVersion.Should().Be("authorization.k8s.io/v1");
        review.Status.Allowed.Should().BeTrue();
        review.Spec.ResourceAttributes.Verb.Should().Be("delete", "the review echoes the spec");
    }

    [Fact]
    public async Task SelfSubjectAccessReview_AfterDeny_IsNotAllowedOnlyThere()
    {
        // Arrange
        Cluster.Authorization.Deny("delete", "pods", Ns);

        // Act
        var denied = await ReviewAsync("delete", "pods", Ns);
        var otherNamespace = await ReviewAsync("delete", "pods", "default");
        var otherVerb = await ReviewAsync("get", "pods", Ns);

        // Assert
        denied.Status.Allowed.Should().BeFalse();
        denied.Status.Reason.Should().NotBeNullOrEmpty();
        otherNamespace.Status.Allowed.Should().BeTrue();
        otherVerb.Status.Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task SelfSubjectAccessReview_DeniedSubresource_IsNotAllowed()
    {
        // Arrange
        Cluster.Authorization.Deny("create", "pods/eviction");

        // Act
        var eviction = await ReviewAsync("create", "pods", Ns, "eviction");
        var pods = await ReviewAsync("create", "pods", Ns);

        // Assert
        eviction.Status.Allowed.Should().BeFalse();
        pods.Status.Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task Delete_Denied_Answers403ForbiddenAndKeepsThePod()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        Cluster.Authorization.Deny("delete", "pods", Ns);

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.DeleteNamespacedPodAsync("web", Ns))).ShouldFailWithAsync(HttpStatusCode.Forbidden);

        // Assert
        status.Reason.Should().Be("Forbidden");
        status.Code.Should().Be(403);
        status.Message.Should().Contain($"User \"{ApiAuthorization.UserName}\" cannot delete resource \"pods\"").And.Contain($"namespace \"{Ns}\"");
        status.Details.Name.Should().Be("web");
        (await Client.CoreV1.ReadNamespacedPodAsync("web", Ns)).Metadata.DeletionTimestamp.Should().BeNull();
        await Eventually.UntilAsync(() => Cluster.Audit.Entries.Any(e => e.Verb == "delete" && e.StatusCode == 403 && !e.InjectedFault), "the denied delete is audited as a 403");
    }

    [Fact]
    public async Task Dispose_DenyRule_AllowsAgain()
    {
        // Arrange
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("web"), Ns);
        var rule = Cluster.Authorization.Deny("delete", "pods", Ns);

        // Act
        rule.Dispose();
        await Client.CoreV1.DeleteNamespacedPodAsync("web", Ns, gracePeriodSeconds: 0);

        // Assert
        (await ReviewAsync("delete", "pods", Ns)).Status.Allowed.Should().BeTrue();
        (await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Deny_WildcardVerbClusterWide_ForbidsListsEverywhere()
    {
        // Arrange
        Cluster.Authorization.Deny("*", "configmaps");

        // Act
        var status = await ((Func<Task>)(() => Client.CoreV1.ListConfigMapForAllNamespacesAsync())).ShouldFailWithAsync(HttpStatusCode.Forbidden);

        // Assert
        status.Message.Should().Contain("at the cluster scope");
        (await Client.CoreV1.ListNodeAsync()).Items.Should().HaveCount(3);
    }
}
