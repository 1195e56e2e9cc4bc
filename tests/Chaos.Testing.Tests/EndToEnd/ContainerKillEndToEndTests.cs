using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// Container kill through the DSL on the process runtime, where the payload signals the target's PID 1 from inside its
/// PID namespace. The kernel drops a signal PID 1 has no handler for, so the realistic target is an init that forwards
/// TERM to the application (as tini or dumb-init do): the application, which does not trap it, dies of it, and the init
/// exits 143 (128 + 15). The container restarts and its last state says so. A PID 1 without a handler makes the run fail
/// with the payload's words, and the container is not restarted.
/// </summary>
public sealed class ContainerKillEndToEndTests
{
    /// <summary>An init that forwards TERM to its application (sleep, which does not trap it) and exits with its status.</summary>
    private const string ForwardingInit = "sleep 3600 & app=$!; trap 'kill -TERM $app; wait $app; exit $?' TERM; wait $app";

    [ProcessRuntimeFact]
    public async Task KillContainer_Term_ThroughAForwardingInit_RestartsTheContainer_WithExit143()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var web = await SleeperAsync(cluster, "web", command: ["sh", "-c", ForwardingInit]);
        var before = await MainAsync(cluster.Client);

        var result = await On("web").KillContainer().Held(0.3).RunAsync(cluster.Client);
        V1ContainerStatus after = before;
        await Eventually.TrueAsync(
            async () => (after = await MainAsync(cluster.Client)) is { RestartCount: 1, State.Running: not null },
            "the container to run again after its restart", TimeSpan.FromSeconds(60));

        Console.WriteLine($"{result.Verdict}: {string.Join(" | ", result.Affected.Select(a => a.Action))}; last state {KubernetesJson.Serialize(after.LastState)}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        after.LastState.Terminated.ExitCode.Should().Be(143, "the init exits with its application's status, killed by SIGTERM: 128 + 15");
        after.LastState.Terminated.Reason.Should().Be("Error");
        after.LastState.Terminated.ContainerID.Should().Be(before.ContainerID);
        after.ContainerID.Should().NotBe(before.ContainerID, "a new container runs");
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("web", "shop");
        pod.Status.EphemeralContainerStatuses.Should().OnlyContain(s => s.State.Terminated != null, "the payload ended");
        CgroupProcesses(web).Select(p => p.Command).Should().BeEquivalentTo(["unshare", "sh", "sleep"], "only the new container's launcher, init and application run in the pod");
    }

    [ProcessRuntimeFact]
    public async Task KillContainer_Term_ToAPid1WithoutAHandler_FailsWithThePayloadsWords_AndLeavesTheContainer()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        await SleeperAsync(cluster, "web");

        var result = await On("web").KillContainer().Held(0.3).RunAsync(cluster.Client);
        var after = await MainAsync(cluster.Client);

        Console.WriteLine($"{result.Verdict}: {result.FailureReason}");
        result.Verdict.Should().Be(ExperimentVerdict.Failed, result.ToReport());
        result.FailureReason.Should().Contain("chaos: PID 1 (sleep) has no handler for SIGTERM: the kernel drops it when sent from inside PID 1's namespace");
        result.FailureReason.Should().NotContain("getcwd", "the payload starts in its working directory, inside the target's filesystem");
        after.RestartCount.Should().Be(0);
        after.State.Running.Should().NotBeNull();
    }

    private static async Task<V1ContainerStatus> MainAsync(IKubernetes client) =>
        (await client.CoreV1.ReadNamespacedPodAsync("web", "shop")).Status.ContainerStatuses.Single();
}
