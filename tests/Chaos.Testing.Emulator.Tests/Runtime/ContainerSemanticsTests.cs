using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>Containers on the process runtime are real processes with the kubelet's semantics: PID 1, exit codes, restarts with back-off, signals and grace, OOM kills.</summary>
public sealed class ContainerSemanticsTests : ProcessRuntimeTest
{
    [ProcessRuntimeFact]
    public async Task Container_IsPid1OfItsOwnNamespace_WithTheSpecsEnvAndWorkingDirectory_AndItsOutputIsTheLog()
    {
        await CreateAsync(ShellPod("hello", "echo pid=$$ greeting=$GREETING dir=$(pwd) home=${HOME:-none}; exec sleep 3600", configure: c =>
        {
            c.Env = [new V1EnvVar { Name = "GREETING", Value = "hi there" }];
            c.WorkingDir = "/tmp";
        }));

        var log = await LogContainsAsync("hello", "pid=");
        log.Should().Contain("pid=1 greeting=hi there dir=/tmp home=none", "the container is PID 1 of its namespace, gets exactly its env and runs in its working directory");
        var pod = await ReadyAsync("hello");
        pod.Status.PodIP.Should().NotBeNullOrEmpty().And.NotStartWith("10.42.", "pod IPs come from the runtime's own range, not the simulated one");
        pod.Status.ContainerStatuses.Single().State.Running.Should().NotBeNull();
    }

    [ProcessRuntimeFact]
    public async Task CrashingContainer_RestartsWithBackOff_AndReportsItsExitCode()
    {
        await CreateAsync(ShellPod("crash", "echo run; exit 3"));

        var pod = await PodAsync("crash", p => p.Status?.ContainerStatuses?.SingleOrDefault() is { RestartCount: >= 2 } s && s.LastState?.Terminated is not null,
            "the container crashed and was restarted twice");
        var status = pod.Status.ContainerStatuses.Single();
        status.LastState.Terminated.ExitCode.Should().Be(3);
        status.LastState.Terminated.Reason.Should().Be("Error");
        var waiting = await PodAsync("crash", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "CrashLoopBackOff",
            "the kubelet backs off before restarting again");
        waiting.Status.ContainerStatuses.Single().RestartCount.Should().BeLessThan(6, "the back-off starts after the second crash, not after hundreds of immediate restarts");
        (await LogAsync("crash", previous: true)).Should().Be("run\n", "the previous run's log is kept");
    }

    [ProcessRuntimeFact]
    public async Task Deletion_SendsSigterm_ThenSigkillAfterTheGracePeriod()
    {
        // PID 1 without a handler ignores SIGTERM (a plain sleep), so only SIGKILL after the grace period ends it; a
        // container that traps SIGTERM ends at once with its own exit code.
        await CreateAsync(ShellPod("stubborn", "exec sleep 3600"));
        await CreateAsync(ShellPod("polite", "trap 'echo bye; exit 0' TERM; echo up; while :; do sleep 1; done"));
        await ReadyAsync("stubborn");
        await LogContainsAsync("polite", "up");

        var clock = Stopwatch.StartNew();
        await Client.CoreV1.DeleteNamespacedPodAsync("stubborn", Ns, new V1DeleteOptions { GracePeriodSeconds = 3 });
        await Client.CoreV1.DeleteNamespacedPodAsync("polite", Ns, new V1DeleteOptions { GracePeriodSeconds = 60 });
        await GoneAsync("polite");
        var polite = clock.Elapsed;
        await GoneAsync("stubborn");
        var stubborn = clock.Elapsed;

        polite.Should().BeLessThan(TimeSpan.FromSeconds(30), "the trap ended it long before its 60 s grace period");
        stubborn.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2.9), "SIGTERM did nothing to PID 1 without a handler; SIGKILL came after the grace period");
    }

    [ProcessRuntimeFact]
    public async Task OverTheMemoryLimit_TheContainerIsOomKilled_Exit137()
    {
        await CreateAsync(ShellPod("hungry", "exec python3 -c 'x = bytearray(200 * 1024 * 1024); print(len(x))'", restartPolicy: "Never", configure: c =>
            c.Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("32Mi") } }));

        var pod = await PodAsync("hungry", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Terminated is not null, "the container ended");
        var ended = pod.Status.ContainerStatuses.Single().State.Terminated;
        ended.Reason.Should().Be("OOMKilled");
        ended.ExitCode.Should().Be(137);
        pod.Status.Phase.Should().Be("Failed");
    }

    [ProcessRuntimeFact]
    public async Task UnmappedImage_WaitsWithErrImagePull_SayingHowToMapIt()
    {
        var pod = ShellPod("cart", "true");
        pod.Spec.Containers[0].Image = "shop/cart:1.4";
        pod.Spec.Containers[0].Command = null;
        await CreateAsync(pod);

        var seen = await PodAsync("cart", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff", "the image cannot be pulled");
        seen.Status.ContainerStatuses.Single().State.Waiting.Message.Should().Contain("shop/cart:1.4").And.Contain("Images[");
        seen.Status.Phase.Should().Be("Pending");
    }

    [ProcessRuntimeFact]
    public async Task LivenessProbeFailing_RestartsTheContainer_WhileAnExecReadinessProbeMakesItReady()
    {
        var pod = ShellPod("flaky", "echo started; exec sleep 3600", configure: c =>
        {
            // Nothing listens on port 9: the tcpSocket liveness probe fails and the kubelet restarts the container.
            c.LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = 9 }, InitialDelaySeconds = 2, PeriodSeconds = 1, FailureThreshold = 2 };
            c.ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["sh", "-c", "[ \"$(cat /proc/1/comm)\" = sleep ]"] }, PeriodSeconds = 1 };
            c.TerminationMessagePolicy = "FallbackToLogsOnError";
        });
        pod.Spec.TerminationGracePeriodSeconds = 1;
        await CreateAsync(pod);

        await ReadyAsync("flaky");
        var restarted = await PodAsync("flaky", p => p.Status?.ContainerStatuses?.SingleOrDefault() is { RestartCount: >= 1 } s && s.LastState?.Terminated is not null,
            "the failing liveness probe restarted the container");
        var ended = restarted.Status.ContainerStatuses.Single().LastState.Terminated;
        ended.ExitCode.Should().Be(137, "sleep as PID 1 ignores SIGTERM, so the grace period ended in SIGKILL");
        ended.Message.Should().Contain("started", "FallbackToLogsOnError puts the log's tail in the message of a failed container");
    }

    [ProcessRuntimeFact]
    public async Task Tmp_IsTheContainersOwn_NotThisMachines()
    {
        // A disk fill into /tmp (the fault's default) must fill the pod's node, never this machine's disk.
        var marker = $"cte-tmp-{Guid.NewGuid():N}";
        await CreateAsync(ShellPod("writer", $"echo data > /tmp/{marker} && ls -ld /tmp && echo wrote; exec sleep 3600"));

        var log = await LogContainsAsync("writer", "wrote");
        log.Should().StartWith("drwxrwxrwt", "a container's /tmp is sticky and writable by all, as everywhere");
        File.Exists($"/tmp/{marker}").Should().BeFalse("the container wrote into its own /tmp");
    }

    private Task<int> GoneAsync(string name) =>
        Support.Eventually.MatchAsync(
            async () => (await Client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: $"metadata.name={name}")).Items.Count,
            n => n == 0, $"pod {name} is gone", Slow);
}
