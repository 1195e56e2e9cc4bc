using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary><c>authentication.k8s.io/v1</c> SelfSubjectReview answers with the emulator's one user, what <c>kubectl auth whoami</c> shows.</summary>
public sealed class SelfSubjectReviewTests : EmulatorTest
{
    [Fact]
    public async Task SelfSubjectReview_ReturnsTheEmulatorUser_AsAnAdministrator()
    {
        // Act
        var review = await Client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());

        // Assert
        review.Kind.Should().Be("SelfSubjectReview");
        review.ApiVersion.Should().Be("authentication.k8s.io/v1");
        review.Status.UserInfo.Username.Should().Be(ApiAuthorization.UserName);
        review.Status.UserInfo.Groups.Should().Equal("system:masters", "system:authenticated");
    }

    [Fact]
    public async Task Discovery_ListsSelfSubjectReviews_CreateOnly()
    {
        // Act
        var group = (await Client.Apis.GetAPIVersionsAsync()).Groups.Single(g => g.Name == "authentication.k8s.io");
        var resources = await Client.AuthenticationV1.GetAPIResourcesAsync();

        // Assert
        group.PreferredVersion.GroupVersion.Should().Be("authentication.k8s.io/v1");
        resources.Resources.Should().ContainSingle().Which.Verbs.Should().Equal("create");
        resources.Resources[0].Name.Should().Be("selfsubjectreviews");
    }
}
