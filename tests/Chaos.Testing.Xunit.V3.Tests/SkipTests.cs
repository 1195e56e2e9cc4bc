using System.Runtime.CompilerServices;
using Xunit.v3;

namespace Chaos.Testing.Xunit.V3.Tests;

/// <summary>A chaos fact that needs K3s: skipped here, because this project does not reference Chaos.Testing.K3s.</summary>
public sealed class K3sChaosFactAttribute : ChaosFactAttribute
{
    // Passing the caller's file and line on keeps the test's source location in the results.
    public K3sChaosFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Kind = ChaosClusters.K3s;
}

[Collection(SerialEnvironment.Name)]
public sealed class SkipTests
{
    internal const string K3sMissing =
        "Chaos cluster unavailable: k3s was requested (CHAOS_CLUSTER=k3s) but the Chaos.Testing.K3s package is not referenced by this test project";

    // xUnit reads the skip reason through IFactAttribute.Skip.
    private static string? SkipOf(IFactAttribute attribute) => attribute.Skip;

    [Fact]
    public void ChaosFact_K3sFromTheEnvironment_SkipsWithTheReason()
    {
        using (EnvironmentVariables.Set(("CHAOS_CLUSTER", "k3s"), (ChaosClusterOptions.StrictVariable, null)))
        {
            SkipOf(new ChaosFactAttribute()).Should().Be(K3sMissing);
            SkipOf(new ChaosTheoryAttribute()).Should().Be(K3sMissing);
            new ChaosFactAttribute().SkipReason.Should().Be(K3sMissing);
        }
    }

    [Fact]
    public void ChaosFact_DefaultEmulatorKind_DoesNotSkip()
    {
        using (EnvironmentVariables.Set(("CHAOS_CLUSTER", null), ("CHAOS_KUBECONFIG", null)))
        {
            SkipOf(new ChaosFactAttribute()).Should().BeNull();
            SkipOf(new ChaosTheoryAttribute()).Should().BeNull();
        }
    }

    [Fact]
    public void ChaosFact_KindProperty_WinsOverTheEnvironment()
    {
        using (EnvironmentVariables.Set(("CHAOS_CLUSTER", "emulator"), (ChaosClusterOptions.StrictVariable, null)))
        {
            SkipOf(new K3sChaosFactAttribute()).Should().Be(K3sMissing);
            SkipOf(new ChaosFactAttribute { Kind = "emulator" }).Should().BeNull();
        }
    }

    [Fact]
    public void ChaosFact_StrictFromTheEnvironment_DoesNotSkip()
    {
        using (EnvironmentVariables.Set(("CHAOS_CLUSTER", "k3s"), (ChaosClusterOptions.StrictVariable, "1")))
        {
            SkipOf(new ChaosFactAttribute()).Should().BeNull();
            SkipOf(new ChaosTheoryAttribute()).Should().BeNull();
        }
    }

    [Fact]
    public void ChaosFact_ExplicitSkip_IsKept()
    {
        SkipOf(new ChaosFactAttribute { Kind = "k3s", Skip = "flaky" }).Should().Be("flaky");
    }

    [Fact]
    public async Task Fixture_UnavailableKind_SetsSkipReason_AndSkipsTheTestThatUsesIt()
    {
        var fixture = new K3sFixture();
        await fixture.InitializeAsync();

        fixture.SkipReason.Should().Be(K3sMissing);
        // Inside a test the exception is xUnit v3's dynamic skip: the test is reported skipped with the reason.
        var cluster = () => fixture.Cluster;
        cluster.Should().Throw<ChaosClusterUnavailableException>().WithMessage(DynamicSkipToken.Value + K3sMissing);
        await fixture.DisposeAsync();
    }

    [Fact]
    public async Task Fixture_UnavailableKind_OutsideATest_ThrowsTheReason()
    {
        var fixture = new K3sFixture();
        await fixture.InitializeAsync();

        Task<IChaosCluster> outside;
        using (ExecutionContext.SuppressFlow())
        {
            outside = Task.Run(() => fixture.Cluster);
        }

        var read = () => outside;
        (await read.Should().ThrowAsync<ChaosClusterUnavailableException>()).Which.Message.Should().Be(K3sMissing);
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
}

public sealed class K3sFixture() : ChaosClusterFixture(new ChaosClusterOptions { Kind = ChaosClusters.K3s });
