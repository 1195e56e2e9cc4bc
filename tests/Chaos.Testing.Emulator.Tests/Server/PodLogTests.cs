using System.Net;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>
/// pods/log: nothing runs in the emulator, so a container's log is what it stands for — a Chaos.Testing payload reports
/// its fault installed, a failed payload its error, anything else nothing. The errors are the API server's.
/// </summary>
public sealed class PodLogTests : EmulatorTest
{
    private const string Payload = """{"name":"chaos-network-delay-1","image":"busybox:1.36","targetContainerName":"app","env":[{"name":"CHAOS_TESTING_HOLD_SECONDS","value":"60"}]}""";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodReadyAsync(Ns, "web");
    }

    [Fact]
    public async Task Log_OfTheOnlyContainer_IsEmpty_AndNeedsNoContainerName()
    {
        (await ReadLogAsync(null)).Should().BeEmpty();
        (await ReadLogAsync("app")).Should().BeEmpty();
    }

    [Fact]
    public async Task Log_OfARunningPayload_SaysTheFaultIsInstalled()
    {
        await AddAsync(Payload);
        await Client.WaitForPodAsync(Ns, "web", p => p.Status.EphemeralContainerStatuses?.Any(s => s.State?.Running is not null) == true, "runs the payload");

        (await ReadLogAsync("chaos-network-delay-1")).Should().Be("chaos: installed\n");
    }

    [Fact]
    public async Task Payload_WithARepeatedVariable_StillEndsWhenItsHoldHasPassed()
    {
        // Env names repeat in real specs (the API accepts it; the last wins in a real runtime): the kubelet must not stall.
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("web", Ns);
        pod.Spec.EphemeralContainers = [new V1EphemeralContainer
        {
            Name = "chaos-cpu-stress-2",
            Image = "busybox:1.36",
            TargetContainerName = "app",
            Env = [new() { Name = "CHAOS_TESTING_HOLD_SECONDS", Value = "1" }, new() { Name = "CHAOS_TESTING_HOLD_SECONDS", Value = "1" }, new() { Name = "X" }, new() { Name = "X", Value = "y" }],
        }];
        await Client.CoreV1.ReplaceNamespacedPodEphemeralcontainersAsync(pod, "web", Ns);

        await Client.WaitForPodAsync(Ns, "web", p => p.Status.EphemeralContainerStatuses?.Any(s => s.State?.Terminated is { ExitCode: 0 }) == true, "the payload ends after its hold");
        Cluster.ControllerError.Should().BeNull();
    }

    [Fact]
    public async Task Log_WithoutContainerName_WhenThePodHasEphemeralContainers_StillReadsTheOnlyRegularOne()
    {
        await AddAsync(Payload);

        (await ReadLogAsync(null)).Should().BeEmpty();
    }

    [Fact]
    public async Task Log_OfAnUnknownContainer_Answers400()
    {
        var status = await ((Func<Task>)(() => ReadLogAsync("sidecar"))).ShouldFailWithAsync(HttpStatusCode.BadRequest);

        status.Message.Should().Be("container sidecar is not valid for pod web");
    }

    [Fact]
    public async Task Log_OfAPodWithTwoContainers_WithoutName_Answers400ListingThem()
    {
        var pod = Pod("two");
        pod.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "busybox:1.36" });
        await Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);

        var status = await ((Func<Task>)(() => ReadLogAsync(null, "two"))).ShouldFailWithAsync(HttpStatusCode.BadRequest);

        status.Message.Should().Be("a container name must be specified for pod two, choose one of: [app sidecar]");
    }

    [Fact]
    public async Task Log_OfAContainerNotStarted_Answers400WaitingToStart()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(UnschedulablePod("pending"), Ns);

        var status = await ((Func<Task>)(() => ReadLogAsync("app", "pending"))).ShouldFailWithAsync(HttpStatusCode.BadRequest);

        status.Message.Should().Be("container \"app\" in pod \"pending\" is waiting to start: ContainerCreating");
    }

    [Fact]
    public async Task Discovery_ListsPodsLog_WithGet()
    {
        var list = await Client.CoreV1.GetAPIResourcesAsync();

        list.Resources.Single(r => r.Name == "pods/log").Verbs.Should().Equal("get");
    }

    private Task<V1Pod> AddAsync(string containerJson) =>
        Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(
            new V1Patch("""{"spec":{"ephemeralContainers":[""" + containerJson + "]}}", V1Patch.PatchType.StrategicMergePatch), "web", Ns);

    private async Task<string> ReadLogAsync(string? container, string pod = "web")
    {
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, Ns, container: container);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}

/// <summary><see cref="KubernetesEmulatorOptions.PayloadInstallError"/>: payloads fail to install, with that text as log and message.</summary>
public sealed class PayloadInstallErrorTests : EmulatorTest
{
    [Fact]
    public async Task Payload_ExitsOne_WithTheErrorAsLogAndMessage_WhileOtherEphemeralContainersRun()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web"), Ns);
        await Client.WaitForPodReadyAsync(Ns, "web");

        await Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(new V1Patch(
            """{"spec":{"ephemeralContainers":[{"name":"payload","image":"busybox:1.36","env":[{"name":"CHAOS_TESTING_HOLD_SECONDS","value":"60"}]},{"name":"debugger","image":"busybox:1.36"}]}}""",
            V1Patch.PatchType.StrategicMergePatch), "web", Ns);
        var pod = await Client.WaitForPodAsync(Ns, "web", p => p.Status.EphemeralContainerStatuses?.Count == 2, "reports both ephemeral containers");

        var payload = pod.Status.EphemeralContainerStatuses.Single(s => s.Name == "payload").State.Terminated;
        payload.ExitCode.Should().Be(1);
        payload.Message.Should().Be("Error: Specified qdisc kind is unknown.");
        pod.Status.EphemeralContainerStatuses.Single(s => s.Name == "debugger").State.Running.Should().NotBeNull();
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync("web", Ns, container: "payload");
        (await new StreamReader(stream).ReadToEndAsync()).Should().Be("Error: Specified qdisc kind is unknown.\n");
    }

    protected override void Configure(KubernetesEmulatorOptions options) => options.PayloadInstallError = "Error: Specified qdisc kind is unknown.";
}
