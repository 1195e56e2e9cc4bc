using System.Globalization;
using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.Stress;

/// <summary>
/// Container kill on real PID namespaces: the "container" is a PID namespace whose init is a sleeping process; its
/// parent, outside the namespace, reports how init ended. In-namespace payloads enter it with nsenter, as an ephemeral
/// container sharing the target's PID namespace would be.
/// </summary>
public sealed class ContainerKillPayloadTests(ITestOutputHelper output)
{
    private static bool HandlesTerm(string status) =>
        status.Split('\n').Single(l => l.StartsWith("SigCgt:", StringComparison.Ordinal)) is var line
        && (ulong.Parse(line["SigCgt:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << 14)) != 0;

    [PayloadFact("unshare", "nsenter", "mount")]
    public async Task Kernel_DropsSigkillSentToPid1FromInsideItsNamespace()
    {
        // Why the in-namespace payload refuses KILL: kill(2) even returns 0, and nothing happens.
        await using var ns = await PidNamespace.StartAsync(PidNamespace.OwnProc("exec sleep 300"));
        await ns.WaitReadyAsync((comm, _) => comm == "sleep");

        await using var sender = PayloadProcess.Start(ns.Inside(["sh", "-c", "kill -KILL 1; echo \"kill returned $?\""]));
        await sender.WaitForExitAsync();
        await Task.Delay(1000);

        sender.Output.Should().Contain("kill returned 0");
        ns.InitAlive.Should().BeTrue("the kernel drops signals to a namespace's init that it has no handler for, SIGKILL included, when they come from inside");
    }

    [PayloadFact("unshare", "nsenter", "mount", "sed")]
    public async Task InNamespace_ASignalPid1Handles_EndsTheContainersInit()
    {
        await using var ns = await PidNamespace.StartAsync(PidNamespace.OwnProc("trap 'exit 143' TERM; while :; do sleep 0.2; done"));
        await ns.WaitReadyAsync((_, status) => HandlesTerm(status));
        var script = new PayloadScript("kill-term").AddContainerKill(new ContainerKillSpec("TERM"));

        await using var payload = PayloadProcess.Start(ns.Inside(script.Command(script.Render(TimeSpan.Zero))));

        (await ns.WaitInitExitAsync()).Should().Be(143, "PID 1 got SIGTERM and its handler ended it");
        await payload.WaitForExitAsync(TimeSpan.FromSeconds(15));   // killed with the namespace, or done after its second
        output.WriteLine(payload.Output);
        payload.Output.Should().Contain("chaos: sending SIGTERM to PID 1 (sh)");
    }

    [PayloadFact("unshare", "nsenter", "mount", "sed")]
    public async Task InNamespace_ASignalPid1DoesNotHandle_FailsWithTheReason_AndPid1Lives()
    {
        await using var ns = await PidNamespace.StartAsync(PidNamespace.OwnProc("exec sleep 300"));
        await ns.WaitReadyAsync((comm, _) => comm == "sleep");
        var script = new PayloadScript("kill-nohandler").AddContainerKill(new ContainerKillSpec("TERM"));

        await using var payload = PayloadProcess.Start(ns.Inside(script.Command(script.Render(TimeSpan.Zero))));

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
        payload.Output.Should().Contain("chaos: PID 1 (sleep) has no handler for SIGTERM").And.NotContain("chaos: installed");
        ns.InitAlive.Should().BeTrue();
    }

    [PayloadFact("unshare", "mount")]
    public async Task InNamespace_APayloadThatIsItselfPid1_Refuses()
    {
        // An ephemeral container that did not get the target's PID namespace is PID 1 of its own: it must not kill itself.
        var script = new PayloadScript("kill-self").AddContainerKill(new ContainerKillSpec("TERM"));

        await using var payload = PayloadProcess.Start(["unshare", "--pid", "--fork", "--mount-proc", .. script.Command(script.Render(TimeSpan.Zero))]);

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
        payload.Output.Should().Contain("the payload is PID 1 of its own PID namespace");
    }

    [CgroupPayloadFact("unshare", "grep", "sed")]
    public async Task FromHost_Sigkill_KillsTheContainersInit_FoundByItsCgroup()
    {
        using var cgroup = TestCgroup.Create();
        // Init moves itself into the "container's" cgroup, starts a child there (which must not be picked) and sleeps.
        await using var ns = await PidNamespace.StartAsync("echo 0 > \"$1\" || exit 9; sleep 300 & exec sleep 301", cgroup.Procs);
        await ns.WaitReadyAsync((comm, _) => comm == "sleep" && File.ReadAllText(cgroup.Procs).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 2);
        var script = new PayloadScript("kill-host").AddContainerKillFromHost(new ContainerKillSpec(), "containerd://" + cgroup.Id);

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.Zero)));

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        output.WriteLine(payload.Output);
        payload.Output.Should().Contain($"chaos: sending SIGKILL to process {ns.InitPid} (sleep), init of container {cgroup.Id}");
        (await ns.WaitInitExitAsync()).Should().Be(128 + 9, "SIGKILL from an ancestor PID namespace does reach init");
    }

    [PayloadFact("grep", "sed")]
    public async Task FromHost_AContainerWithoutProcessesHere_FailsAndSaysSo()
    {
        var script = new PayloadScript("kill-none").AddContainerKillFromHost(new ContainerKillSpec("TERM"), "0123456789abcdef0123456789abcdef");

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.Zero)));

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
        payload.Output.Should().Contain("chaos: found 0 init processes of container 0123456789abcdef0123456789abcdef");
    }

    [Fact]
    public void InNamespace_Sigkill_IsRefusedWhenBuilding() =>
        FluentActions.Invoking(() => new PayloadScript("k").AddContainerKill(new ContainerKillSpec()))
            .Should().Throw<ArgumentException>().WithMessage("*never reaches its PID 1*AddContainerKillFromHost*");

    [Theory]
    [InlineData("KILL", "KILL", 9)]
    [InlineData("sigterm", "TERM", 15)]
    [InlineData(" SIGUSR1 ", "USR1", 10)]
    public void ContainerKillSpec_NormalizesTheSignal(string signal, string name, int number)
    {
        var spec = new ContainerKillSpec(signal);
        spec.Signal.Should().Be(name);
        spec.SignalNumber.Should().Be(number);
    }

    [Theory]
    [InlineData("STOP")]
    [InlineData("9; reboot")]
    public void ContainerKillSpec_OtherSignals_Throw(string signal) =>
        FluentActions.Invoking(() => new ContainerKillSpec(signal)).Should().Throw<ArgumentException>();

    [Theory]
    [InlineData("abc")]
    [InlineData("containerd://0123456789ab;rm -rf /")]
    [InlineData("0123456789ab cdef")]
    public void FromHost_AnInvalidContainerId_Throws(string id) =>
        FluentActions.Invoking(() => new PayloadScript("k").AddContainerKillFromHost(new ContainerKillSpec(), id)).Should().Throw<ArgumentException>();
}
