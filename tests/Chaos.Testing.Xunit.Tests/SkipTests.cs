namespace Chaos.Testing.Xunit.Tests;

/// <summary>A chaos fact that needs K3s: skipped here, because this project does not reference Chaos.Testing.K3s.</summary>
public sealed class K3sChaosFactAttribute : ChaosFactAttribute
{
    public K3sChaosFactAttribute() => Kind = ChaosClusters.K3s;
}

public sealed class SkippedChaosTests
{
    // Never runs: `dotnet test` lists it as skipped with the reason.
    [K3sChaosFact]
    public void NeedsK3s() => throw new InvalidOperationException("a skipped chaos test ran");
}

[Collection(SerialEnvironment.Name)]
public sealed class SkipTests
{
    private const string K3sMissing =
        "Chaos cluster unavailable: k3s was requested (CHAOS_CLUSTER=k3s) but the Chaos.Testing.K3s package is not referenced by this test project";

    [Fact]
    public void ChaosFact_K3sFromTheEnvironment_SkipsWithTheReason()
    {
        using (EnvironmentVariables.Set(("CHAOS_CLUSTER", "k3s")))
        {
            new ChaosFactAttribute().Skip.Should().Be(K3sMissing);
            new ChaosTheoryAttribute().Skip.Should().Be(K3sMissing);
        }
    }

    [Fact]
    public void ChaosFact_DefaultEmulatorKind_DoesNotSkip()
    {
        using (EnvironmentVariables.Set(("CHAOS_CLUSTER", null), ("CHAOS_KUBECONFIG", null)))
        {
            new ChaosFactAttribute().Skip.Should().BeNull();
            new ChaosTheoryAttribute().Skip.Should().BeNull();
        }
    }

    [Fact]
    public void ChaosFact_KindProperty_WinsOverTheEnvironment()
    {
        using (EnvironmentVariables.Set(("CHAOS_CLUSTER", "emulator")))
        {
            new K3sChaosFactAttribute().Skip.Should().Be(K3sMissing);
            new ChaosFactAttribute { Kind = "emulator" }.Skip.Should().BeNull();
        }
    }

    [Fact]
    public void ChaosFact_StrictFromTheEnvironment_RunsInsteadOfSkipping()
    {
        using (EnvironmentVariables.Set(("CHAOS_CLUSTER", "k3s"), (ChaosClusterOptions.StrictVariable, "1")))
        {
            new ChaosFactAttribute().Skip.Should().BeNull();
            new ChaosTheoryAttribute().Skip.Should().BeNull();
        }
    }

    [Fact]
    public void ChaosFact_ExplicitSkip_IsKept()
    {
        new ChaosFactAttribute { Kind = "k3s", Skip = "flaky" }.Skip.Should().Be("flaky");
    }

    [Fact]
    public async Task Fixture_UnavailableKind_SetsSkipReasonInsteadOfThrowing()
    {
        var fixture = new K3sFixture();
        await fixture.InitializeAsync();

        fixture.SkipReason.Should().Be(K3sMissing);
        var cluster = () => fixture.Cluster;
        cluster.Should().Throw<ChaosClusterUnavailableException>().WithMessage(K3sMissing);
        await fixture.DisposeAsync();
    }

    [Fact]
    public void KeepNamespaces_ComesFromTheEnvironment()
    {
        using (EnvironmentVariables.Set((ChaosClusterFixture.KeepNamespacesVariable, "true")))
        {
            ChaosClusterFixture.KeepNamespaces.Should().BeTrue();
        }

        using (EnvironmentVariables.Set((ChaosClusterFixture.KeepNamespacesVariable, null)))
        {
            ChaosClusterFixture.KeepNamespaces.Should().BeFalse();
        }
    }

    private sealed class K3sFixture() : ChaosClusterFixture(new ChaosClusterOptions { Kind = ChaosClusters.K3s });
}
