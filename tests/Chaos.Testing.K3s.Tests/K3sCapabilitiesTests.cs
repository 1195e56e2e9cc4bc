namespace Chaos.Testing.K3s.Tests;

public sealed class K3sCapabilitiesTests
{
    [Fact]
    public void Nothing_is_missing_when_ephemeral_containers_exist_and_netem_is_not_asked()
    {
        K3sCapabilities.Problems(["pods", "pods/ephemeralcontainers", "pods/exec"], netemProblem: null).Should().BeEmpty();
    }

    [Fact]
    public void Missing_ephemeral_containers_and_netem_are_both_reported()
    {
        var problems = K3sCapabilities.Problems(["pods", "pods/exec"], netemProblem: "a netem qdisc cannot be added in a pod here: ...");

        problems.Should().HaveCount(2);
        problems[0].Should().StartWith("ephemeral containers are not available: /api/v1 does not list the pods/ephemeralcontainers subresource");
        problems[1].Should().Be("a netem qdisc cannot be added in a pod here: ...");
    }

    [Fact]
    public void Netem_found_is_not_a_problem()
    {
        K3sCapabilities.Problems(["pods/ephemeralcontainers"], netemProblem: string.Empty).Should().BeEmpty();
    }
}

/// <summary>The probe pod's ping summary, parsed the way the K3s network test reads it.</summary>
public sealed class PingSummaryTests
{
    [Theory]
    [InlineData("10 packets transmitted, 10 packets received, 0% packet loss\nround-trip min/avg/max = 0.061/0.098/0.170 ms\n", 0.098)]
    [InlineData("10 packets transmitted, 10 received, 0% packet loss, time 1803ms\nrtt min/avg/max/mdev = 200.112/201.305/203.020/0.901 ms\n", 201.305)]
    public void ParseAverage_ReadsBusyboxAndIputilsSummaries(string output, double average) =>
        K3sIntegrationTests.ParseAverage(output).Should().Be(average);

    [Fact]
    public void ParseAverage_WithoutSummary_SaysSo() =>
        ((Action)(() => K3sIntegrationTests.ParseAverage("ping: bad address"))).Should().Throw<FormatException>().WithMessage("no round-trip summary*");
}
