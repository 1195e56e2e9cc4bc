using System.Diagnostics;
using Chaos.Testing.Emulator.Runtime.Processes;
using Chaos.Testing.Emulator.Tests.Support;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>Namespaces: a container's network namespace, an ephemeral container in its target's, exec inside a container.</summary>
public sealed class ContainerNamespaceTests : ContainerTest
{
    private readonly string _netns = $"cte-test-{Guid.NewGuid():N}"[..24];
    private bool _netnsAdded;

    [RootFact("ip")]
    public async Task NetnsName_RunsTheContainerInThatNetworkNamespace()
    {
        AddNetns();

        var (exit, lines) = await RunToEnd(Launch("ip", "-o", "link") with { NetnsName = _netns });

        exit.ExitCode.Should().Be(0);
        lines.Should().ContainSingle("a fresh namespace has only its loopback device").Which.Text.Should().Contain(": lo:");
    }

    [RootFact("ip")]
    public async Task TargetPid_JoinsTheTargetsPidNetworkAndMountNamespaces()
    {
        AddNetns();
        var target = Start(Launch("sleep", "600") with { NetnsName = _netns });
        var ephemeral = Launch("sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt") with { TargetPid = target.HostPid };

        var (exit, lines) = await RunToEnd(ephemeral);

        exit.ExitCode.Should().Be(0);
        lines.Select(l => l.Text).Should().Equal(
            "sleep 600 ",
            Readlink($"/proc/{target.HostPid}/ns/net"),
            Readlink($"/proc/{target.HostPid}/ns/mnt"));
        lines[1].Text.Should().NotBe(Readlink("/proc/self/ns/net"), "the target runs in its own network namespace, not the host's");
    }

    [RootFact]
    public async Task TargetPid_ProcessIsKilledByItsSignals_LikeAnyNonPid1Process()
    {
        var target = Start(Launch("sleep", "600"));
        var ephemeral = Start(Launch("sleep", "600") with { TargetPid = target.HostPid });

        await ephemeral.StopAsync(TimeSpan.FromSeconds(60));

        (await ephemeral.Exited).Should().Match<ContainerExit>(e => e.ExitCode == 143 && e.Signal == 15, "SIGTERM ends a process that is not its namespace's PID 1");
        target.Exited.IsCompleted.Should().BeFalse("the target runs on");
    }

    [RootFact]
    public async Task TargetPid_WhatTheProcessStarted_DiesWithIt()
    {
        var target = Start(Launch("sleep", "600"));
        var ephemeral = Start(Launch("sh", "-c", "sleep 600 & echo started") with { TargetPid = target.HostPid });

        await ephemeral.Exited.WaitAsync(Slow);

        // A killed process stays listed until it is reaped: wait for that, generously.
        await Eventually.UntilAsync(() => ephemeral.Cgroup!.Processes().Count == 0, "the background sleep was killed when the container ended", Slow);
        target.Exited.IsCompleted.Should().BeFalse();
    }

    [RootFact]
    public async Task Exec_RunsInsideTheContainer()
    {
        var container = Start(Launch("sleep", "600") with { Environment = new Dictionary<string, string> { ["ROLE"] = "cart" } });

        var result = await container.ExecAsync(["sh", "-c", "pid1=$(tr '\\0' ' ' < /proc/1/cmdline); echo \"$pid1|$ROLE\"; echo oops >&2; exit 4"], TimeSpan.FromSeconds(60));

        result.Should().Match<ExecResult>(r => r.ExitCode == 4 && !r.TimedOut);
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().BeEquivalentTo(
            ["sleep 600 |cart", "oops"], "it sees the container's PID 1 and environment; stdout and stderr are both kept (in any order)");
        container.Cgroup!.Processes().Should().HaveCount(2, "unshare and PID 1 are left: the exec ran in the container's cgroup and is gone");
    }

    [RootFact]
    public async Task Exec_RunsAsTheContainersUser_WithItsCapabilities()
    {
        var container = Start(Launch("sleep", "600") with { RunAsUser = 1000, RunAsGroup = 1000, Capabilities = CapabilitySet.Of("KILL") });

        var result = await container.ExecAsync(["sh", "-c", "id -u; grep CapEff /proc/self/status"], TimeSpan.FromSeconds(60));

        result.Output.Should().Be($"1000\nCapEff:\t{CapabilitySet.Of("KILL").Mask:x16}\n");
    }

    [RootFact]
    public async Task Exec_TimesOut_AndKillsWhatItStarted()
    {
        var container = Start(Launch("sleep", "600"));
        var watch = Stopwatch.StartNew();

        var result = await container.ExecAsync(["sh", "-c", "sleep 300 & sleep 300; echo never"], TimeSpan.FromMilliseconds(500));

        result.Should().Match<ExecResult>(r => r.TimedOut && r.ExitCode == -1);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        await Support.Eventually.UntilAsync(() => container.Cgroup!.Processes().Count == 2, "only unshare and the container's PID 1 are left in its cgroup", Slow);
    }

    [RootFact]
    public async Task Exec_InAContainerThatExited_Throws()
    {
        var container = Start(Launch("true"));
        await container.Exited.WaitAsync(Slow);

        var exec = () => container.ExecAsync(["true"], TimeSpan.FromSeconds(5));

        await exec.Should().ThrowAsync<InvalidOperationException>().WithMessage("*not running*");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_netnsAdded)
        {
            Host("ip", "netns", "delete", _netns);
        }
    }

    private static string Readlink(string path) => new FileInfo(path).LinkTarget!;

    private void AddNetns()
    {
        Host("ip", "netns", "add", _netns);
        _netnsAdded = true;
    }
}
