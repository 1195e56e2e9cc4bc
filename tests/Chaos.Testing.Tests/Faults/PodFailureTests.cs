using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

public sealed class PodFailureTests
{
    private static readonly PodTarget Cart = Pods.In("shop").WithLabel("app", "cart");

    [Fact]
    public async Task Fail_SwapsImagesToPauseWithLedger_ThenRestoresThePodExactly()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var before = await ClusterState.CaptureAsync(cluster.Client);

        var run = Experiment.On(Cart).WithSeed(3).Fail()
            .For(TimeSpan.FromMilliseconds(500))
            .Verify(SteadyState.PodsReady(Cart, atLeast: 2).During(), SteadyState.DeploymentAvailable("shop", "cart"))
            .RunAsync(cluster.Client);
        var during = await Eventually.SingleAsync(async () =>
            (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop", labelSelector: "chaos.testing/ledger=true")).Items);
        var result = await run;
        Console.WriteLine(result.ToReport());
        Console.WriteLine("CONTROLLER " + cluster.Emulator.ControllerError);
        var dump = await cluster.Client.CoreV1.ListNamespacedPodAsync("shop");
        foreach (var p in dump.Items) Console.WriteLine(k8s.KubernetesJson.Serialize(new { p.Metadata.Name, p.Spec.Containers[0].Image, p.Status.ContainerStatuses, p.Metadata.Annotations }));

        result.Should().HaveHeldSteadyState();
        during.Should().NotBeNull();
        during!.Spec.Containers.Single().Image.Should().Be(PodFailureOptions.DefaultImage);
        var ledger = during.Metadata.Annotations.Should().ContainKey($"chaos.testing/ledger-{result.ExperimentId}").WhoseValue;
        ledger.Should().Contain("\"fault\":\"pod-failure\"").And.Contain("\"cart\":\"example/cart:1.0\"").And.Contain("\"deadline\"");
        result.Affected.Select(a => a.Action).Should().Equal($"containers cart now run {PodFailureOptions.DefaultImage}", "images restored: cart=example/cart:1.0");
        result.Probes[1].TimeToRecovery.Should().BePositive("the failed pod was not Ready until its image came back");

        var after = await ClusterState.CaptureAsync(cluster.Client);
        after.DifferencesFrom(before, podsMustSurvive: true).Should().BeEmpty("the pod was failed, not deleted, and restored exactly");
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(during.Metadata.Name, "shop");
        pod.Status.ContainerStatuses.Single().RestartCount.Should().Be(2, "the image swap and its restore each restart the container");
    }

    [Fact]
    public async Task Fail_NamedContainerMissing_IsRefusedBeforeAnyWrite()
    {
        await using var cluster = await ShopCluster.StartAsync();
        var run = () => Experiment.On(Cart).Fail(o => o.Containers.Add("sidecar")).RunAsync(cluster.Client);
        (await run.Should().ThrowAsync<ChaosRefusedException>()).WithMessage("Pod shop/cart-* has no container \"sidecar\" (it has cart)*Nothing was changed.");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }
}
