using System.Diagnostics;
using Chaos.Testing;
using Chaos.Testing.Emulator;
using Chaos.Testing.Xunit;
using FluentAssertions;
using k8s;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Resilience.Xunit;

/// <summary>
/// The pod-loss experiment once more, on an emulator of its own with realistic timing (seconds to pull images and
/// start pods, readiness probes on their periods, graceful termination), so that "recovers" is measured against the
/// pace of a real node rather than milliseconds. The whole suite can run this way: <c>CHAOS_EMULATOR_TIMING=realistic</c>.
/// </summary>
public sealed class CartRealisticTimingTests(ITestOutputHelper output)
{
    private static readonly string ShopYaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shop.yaml"));

    [Fact]
    public async Task CartRecoversAfterLosingAPodAtARealNodesPace()
    {
        await using var emulator = await KubernetesEmulator.StartAsync(o => o.Timing = EmulatorTiming.Realistic);
        var deploying = Stopwatch.StartNew();
        await emulator.ApplyYamlAsync(ShopYaml);   // into the namespace "default"
        while ((await emulator.Client.AppsV1.ReadNamespacedDeploymentAsync("cart", "default")).Status?.AvailableReplicas != 3)
        {
            deploying.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the cart deployment becomes available");
            await Task.Delay(100);
        }

        output.WriteLine($"3 cart pods available after {deploying.Elapsed.TotalSeconds:F1} s (sandbox, image pull, start)");
        deploying.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(6), "realistic timing: 1 s sandbox + 5 s pull + 1 s start");

        var running = Stopwatch.StartNew();
        var result = await Experiment.On(Pods.In("default").WithLabel("app", "cart"))
            .Kill()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable("default", "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(emulator.Client);

        output.WriteChaosResult(result);
        output.WriteLine($"experiment with recovery took {running.Elapsed.TotalSeconds:F1} s");
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        running.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(2), "the replacement pod takes its sandbox and start (its image is on the node)");
    }
}
