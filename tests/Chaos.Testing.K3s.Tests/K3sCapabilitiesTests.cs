namespace Chaos.Testing.K3s.Tests;

public sealed class K3sCapabilitiesTests
{
    [Fact]
    public void Nothing_is_missing_when_ephemeral_containers_exist_and_netem_is_not_asked()
    {
        K3sCapabilities.Problems(["pods", "pods/ephemeralcontainers", "pods/exec"], netemExitCode: null).Should().BeEmpty();
    }

    [Fact]
    public void Missing_ephemeral_containers_and_netem_are_both_reported()
    {
        var problems = K3sCapabilities.Problems(["pods", "pods/exec"], netemExitCode: 1);

        problems.Should().HaveCount(2);
        problems[0].Should().StartWith("ephemeral containers are not available: /api/v1 does not list the pods/ephemeralcontainers subresource");
        problems[1].Should().StartWith("the sch_netem kernel module is not loaded or installed on the Docker host (check exited 1)").And.Contain("sudo modprobe sch_netem");
    }

    [Fact]
    public void Netem_found_is_not_a_problem()
    {
        K3sCapabilities.Problems(["pods/ephemeralcontainers"], netemExitCode: 0).Should().BeEmpty();
    }
}
