using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Faults;

/// <summary>When a custom fault cannot be injected and then cannot be recovered, the cause comes first.</summary>
public sealed class CustomFaultFailureOrderTests
{
    [Fact]
    public async Task Run_InjectAndRecoverBothFail_ReasonStartsWithTheInjectionFailure()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var result = await Experiment.On(Pods.In("shop").WithLabel("app", "cart"))
            .Inject(
                (_, _) => throw new InvalidOperationException("feature flag service refused the change"),
                (_, _) => throw new InvalidOperationException("feature flag service unreachable"),
                name: "flag-off")
            .RunAsync(cluster.Client);

        result.Verdict.Should().Be(ExperimentVerdict.Failed);
        result.FailureReason.Should().StartWith("the fault could not be injected: feature flag service refused the change; then recovery failed, ")
            .And.Contain("feature flag service unreachable");
    }
}
