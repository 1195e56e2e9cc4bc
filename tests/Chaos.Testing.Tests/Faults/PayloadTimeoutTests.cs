using Chaos.Testing.Tests.Support;
using k8s.Models;

namespace Chaos.Testing.Tests.Faults;

/// <summary>
/// The payload start and cleanup timeouts are options (a cold pull of a large payload image outlasts the defaults on a
/// slow link), validated like every option, and a start that runs out of time names the image that may still be pulling.
/// </summary>
public sealed class PayloadTimeoutTests
{
    [Fact]
    public async Task Timeouts_out_of_range_are_refused_before_anything_is_written()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var run = () => Experiment.On(Pods.In("shop").WithLabel("app", "cart")).StressCpu(o => { o.StartTimeout = TimeSpan.Zero; o.CleanupTimeout = TimeSpan.FromHours(1); }).RunAsync(cluster.Client);

        (await run.Should().ThrowAsync<ChaosConfigurationException>())
            .WithMessage("*.StartTimeout: must be more than 0 and at most 30 minutes, was 00:00:00.*")
            .WithMessage("*.CleanupTimeout: must be more than 0 and at most 30 minutes, was 01:00:00.*");
        cluster.Emulator.Audit.Writes.Should().BeEmpty();
    }

    [Fact]
    public void Defaults_are_two_minutes_to_start_and_one_to_clean_up()
    {
        var options = new CpuStressOptions();

        options.StartTimeout.Should().Be(TimeSpan.FromMinutes(2));
        options.CleanupTimeout.Should().Be(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void A_container_that_never_started_in_time_names_its_image_and_the_option()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "cart-1", NamespaceProperty = "shop" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "cart" }], EphemeralContainers = [new V1EphemeralContainer { Name = "chaos-network-delay-x", Image = "registry.example/netshoot:v0.13" }] },
            Status = new V1PodStatus { EphemeralContainerStatuses = [new V1ContainerStatus { Name = "chaos-network-delay-x", Image = "registry.example/netshoot:v0.13", ImageID = string.Empty, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }] },
        };

        PayloadRecovery.TimeoutMessage(pod, "chaos-network-delay-x", running: true, TimeSpan.FromMinutes(2), "waiting: ContainerCreating").Should().Be(
            "ephemeral container chaos-network-delay-x in pod shop/cart-1 did not start within 120s (last seen: waiting: ContainerCreating; image registry.example/netshoot:v0.13): "
            + "the image registry.example/netshoot:v0.13 may still be pulling on the node; raise the fault's StartTimeout/CleanupTimeout option, or pre-pull or preload the image");
    }
}
