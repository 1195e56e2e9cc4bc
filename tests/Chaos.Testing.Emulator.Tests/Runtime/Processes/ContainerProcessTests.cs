using System.Diagnostics;
using Chaos.Testing.Emulator.Runtime.Processes;
using Xunit.Abstractions;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>A container is a process: PID 1 of its namespace, with exactly its command, environment and directory.</summary>
public sealed class ContainerProcessTests(ITestOutputHelper output) : ContainerTest
{
    [RootFact]
    public async Task Process_IsPid1OfItsOwnPidNamespace()
    {
        // The loop is the shell's own (no child): /proc, mounted for the namespace, shows the shell alone.
        var (exit, lines) = await RunToEnd(Launch("sh", "-c", "echo $$; for p in /proc/[0-9]*; do echo $p; done"));

        exit.Should().Be(exit with { ExitCode = 0, Reason = "Completed", Signal = null });
        lines.Select(l => l.Text).Should().Equal(["1", "/proc/1"]);
    }

    [RootFact]
    public async Task Environment_IsExactlyTheContainers_NothingInherited()
    {
        Environment.SetEnvironmentVariable("CTE_TEST_SECRET", "leaked");
        var launch = Launch("env") with { Environment = new Dictionary<string, string> { ["GREETING"] = "hello world", ["EMPTY"] = string.Empty } };

        var (exit, lines) = await RunToEnd(launch);

        exit.ExitCode.Should().Be(0);
        lines.Select(l => l.Text).Should().BeEquivalentTo(
            ["GREETING=hello world", "EMPTY=", $"PATH={HostTools.DefaultPath}", $"HOSTNAME={Environment.MachineName}"],
            "the environment is the container's and the PATH/HOSTNAME defaults, not this test process's (CTE_TEST_SECRET, HOME, DOTNET_...)");
    }

    [RootFact]
    public async Task PathAndHostname_GivenByTheContainer_AreKept()
    {
        var launch = Launch("env") with { Environment = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["HOSTNAME"] = "cart-7d9f" } };

        var (_, lines) = await RunToEnd(launch);

        lines.Select(l => l.Text).Should().BeEquivalentTo(["PATH=/usr/bin:/bin", "HOSTNAME=cart-7d9f"]);
    }

    [RootFact]
    public async Task Arguments_ArePassedAsGiven_WithoutAShell()
    {
        var (_, lines) = await RunToEnd(Launch("printf", "%s|", "a b", "\"q\"", "$HOME", "x;y", string.Empty));

        lines.Should().ContainSingle().Which.Text.Should().Be("a b|\"q\"|$HOME|x;y||", "no shell splits or expands them; a last line without line end is logged too");
    }

    [RootFact]
    public async Task WorkingDirectory_IsTheContainers()
    {
        var work = Directory.CreateDirectory(Path.Combine(Scratch, "work dir")).FullName;

        var (_, lines) = await RunToEnd(Launch("pwd") with { WorkingDirectory = work });
        var (_, rootLines) = await RunToEnd(Launch("pwd"));

        lines.Single().Text.Should().Be(work);
        rootLines.Single().Text.Should().Be("/", "without a working directory a container starts at /");
    }

    [RootFact]
    public async Task ExitCode_IsTheProcesses()
    {
        var (error, _) = await RunToEnd(Launch("sh", "-c", "exit 3"));
        var (completed, _) = await RunToEnd(Launch("true"));

        error.Should().Be(error with { ExitCode = 3, Signal = null, Reason = "Error" });
        completed.Should().Be(completed with { ExitCode = 0, Signal = null, Reason = "Completed" });
    }

    [RootFact("python3")]
    public async Task ACrash_IsReportedAsItsSignal()
    {
        // A real fault kills even a PID 1; unshare then dies by the same signal, which .NET reports as 128 + signal.
        var (exit, _) = await RunToEnd(Launch("sh", "-c", "ulimit -c 0; exec python3 -c 'import ctypes; ctypes.string_at(0)'"));

        exit.Should().Be(exit with { ExitCode = 139, Signal = 11, Reason = "Error" });
    }

    [RootFact("python3")]
    public async Task Sigterm_WithAHandler_EndsWithTheHandlersCode()
    {
        var launch = Launch("python3", "-u", "-c", "import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *_: sys.exit(7))\nprint('ready')\ntime.sleep(600)");
        var container = Start(launch);
        await WaitForLine(launch, "ready");

        var watch = Stopwatch.StartNew();
        await container.StopAsync(TimeSpan.FromSeconds(120));

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the handler exits at once; the grace period is not waited out");
        (await container.Exited).Should().Match<ContainerExit>(e => e.ExitCode == 7 && e.Reason == "Error" && e.Signal == null);
    }

    [RootFact]
    public async Task Sigterm_WithoutAHandler_IsIgnoredByPid1_AndTheGraceEndsInSigkill()
    {
        var launch = Launch("sleep", "600");
        var container = Start(launch);
        var grace = TimeSpan.FromSeconds(2);

        var watch = Stopwatch.StartNew();
        await container.StopAsync(grace);

        watch.Elapsed.Should().BeGreaterThanOrEqualTo(grace - TimeSpan.FromMilliseconds(50), "PID 1 ignores SIGTERM without a handler, so the grace is waited out");
        watch.Elapsed.Should().BeLessThan(grace + TimeSpan.FromSeconds(20));
        (await container.Exited).Should().Match<ContainerExit>(e => e.ExitCode == 137 && e.Signal == 9 && e.Reason == "Error");
        ContainerLog.Read(launch.LogPath, new LogQuery()).Should().BeEmpty("unshare's complaint about the SIGKILL is not the container's output");
    }

    [RootFact]
    public async Task StartError_NamesTheProblem()
    {
        var missing = () => ContainerProcess.Start(Launch("no-such-program-cte"));
        var noDirectory = () => ContainerProcess.Start(Launch("true") with { WorkingDirectory = "/no/such/dir" });
        var noNetns = () => ContainerProcess.Start(Launch("true") with { NetnsName = "cte-no-such-netns" });

        missing.Should().Throw<ContainerStartException>().Which.Should().Match<ContainerStartException>(e =>
            e.Reason == "StartError" && e.Message.Contains("exec: \"no-such-program-cte\": executable file not found in $PATH"));
        noDirectory.Should().Throw<ContainerStartException>().WithMessage("*/no/such/dir*");
        noNetns.Should().Throw<ContainerStartException>().WithMessage("*cte-no-such-netns*");
        Cgroups.RemoveLeftovers(Run).Should().Be(0, "a container that did not start leaves no cgroup");
    }

    [RootFact]
    public async Task Dispose_KillsEverything_AndRemovesTheCgroups()
    {
        var launch = Launch("sh", "-c", "sleep 600 & sleep 600; echo never");
        var container = ContainerProcess.Start(launch);
        await Eventually(() => container.Cgroup!.Processes().Count == 4, "unshare, PID 1 and both sleeps are in the cgroup");
        var pids = container.Cgroup!.Processes();
        var directories = container.Cgroup.Directories;
        var launcher = container.LauncherPid;

        await container.DisposeAsync();

        pids.Where(ProcessTree.Exists).Should().BeEmpty("the container's processes are killed");
        directories.Where(Directory.Exists).Should().BeEmpty("its cgroups are removed");
        ProcessTree.Exists(launcher).Should().BeFalse();
        (await container.Exited).ExitCode.Should().Be(137);
    }

    [RootFact]
    public async Task Start_ReturnsWithinMilliseconds()
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            var container = Start(Launch("sleep", "600"));
            times.Add(watch.Elapsed.TotalMilliseconds);
            container.HostPid.Should().BeGreaterThan(0);
        }

        output.WriteLine($"start latency (ms): {string.Join(", ", times.Select(t => t.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}; load: {File.ReadAllText("/proc/loadavg").Trim()}");
        times.Min().Should().BeLessThan(5000);
    }

    private static Task Eventually(Func<bool> condition, string description) =>
        Support.Eventually.UntilAsync(condition, description, Slow);
}
