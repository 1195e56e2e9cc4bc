using System.Diagnostics;

namespace Chaos.Testing.K3s.Tests;

/// <summary>The no-Docker path, as seen on this kind of machine (skipped where Docker answers).</summary>
public sealed class K3sClusterProviderTests
{
    [NoDockerFact]
    public void Provider_reports_why_Docker_is_missing()
    {
        new K3sClusterProvider().WhyUnavailable(new ChaosClusterOptions()).Should()
            .StartWith("Docker is not reachable: ")
            .And.EndWith("K3s needs a Docker engine — run on a machine with Docker or use the emulator (CHAOS_CLUSTER=emulator)")
            .And.Be(DockerProbe.WhyUnreachable());
    }

    [NoDockerFact]
    public void ChaosClusters_finds_the_provider_and_returns_the_Docker_reason()
    {
        var why = ChaosClusters.WhyUnavailable(new ChaosClusterOptions { Kind = "k3s" });

        why.Should().Be(DockerProbe.WhyUnreachable()).And.StartWith("Docker is not reachable: ");
        why.Should().NotContain("package is not referenced");
    }

    [NoDockerFact]
    public async Task StartAsync_without_Docker_throws_DockerUnavailableException_fast()
    {
        var clock = Stopwatch.StartNew();

        var thrown = await FluentActions.Awaiting(() => K3sChaosCluster.StartAsync()).Should().ThrowAsync<DockerUnavailableException>();

        thrown.Which.Message.Should().Be(DockerProbe.WhyUnreachable());
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [NoDockerFact]
    public async Task AcquireAsync_for_k3s_without_Docker_is_unavailable_with_the_Docker_reason()
    {
        var thrown = await FluentActions.Awaiting(() => ChaosClusters.AcquireAsync(new ChaosClusterOptions { Kind = "k3s" }))
            .Should().ThrowAsync<ChaosClusterUnavailableException>();

        thrown.Which.Message.Should().StartWith("Docker is not reachable: ");
    }

    [Fact]
    public void Provider_has_the_type_name_ChaosClusters_looks_up()
    {
        typeof(K3sClusterProvider).AssemblyQualifiedName.Should().StartWith("Chaos.Testing.K3s.K3sClusterProvider, Chaos.Testing.K3s,");
        Type.GetType("Chaos.Testing.K3s.K3sClusterProvider, Chaos.Testing.K3s", throwOnError: true).Should().Be<K3sClusterProvider>();
    }
}
