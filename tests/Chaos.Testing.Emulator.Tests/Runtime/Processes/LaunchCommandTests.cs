using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>The chain of tools that starts a container: each execs the next, user data only ever as an argument.</summary>
public sealed class LaunchCommandTests
{
    private static readonly LaunchTools Tools = new("/sbin/ip", "/bin/unshare", "/bin/nsenter", "/bin/setpriv", "/bin/sh");
    private static readonly string[] Procs = ["/cg/memory/x/cgroup.procs", "/cg/cpu/x/cgroup.procs"];

    private static readonly ContainerLaunch Plain = new(
        "app", ["sh", "-c", "echo $HOME; rm -rf /"], new Dictionary<string, string>(), null, null, null, CapabilitySet.Of("NET_RAW", "CHOWN"),
        null, null, false, null, null, "cte-run/pod/app", "/tmp/app.log");

    [Fact]
    public void Container_InANetns_JoinsTheCgroupThenRunsUnshareThenSetpriv()
    {
        var argv = LaunchCommand.ForContainer(Plain with { NetnsName = "cte-pod" }, Tools, Procs, CapabilitySet.All, "/");

        argv.Should().Equal(
            "/bin/sh", "-c", LaunchCommand.JoinScriptWithoutPwd, "sh", Procs[0], Procs[1], "--",
            "/sbin/ip", "netns", "exec", "cte-pod",
            "/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--",
            "/bin/setpriv", "--bounding-set", "-all,+chown,+net_raw", "--inh-caps", "-all,+chown,+net_raw", "--",
            "sh", "-c", "echo $HOME; rm -rf /");
    }

    [Fact]
    public void Container_WithATarget_EntersItsNamespaces()
    {
        var argv = LaunchCommand.ForContainer(Plain with { TargetPid = 4242, NetnsName = "ignored" }, Tools, [], CapabilitySet.All, "/work");

        argv.Should().StartWith(["/bin/nsenter", "--target", "4242", "--net", "--pid", "--mount", "--wdns=/work", "--", "/bin/setpriv"]);
    }

    [Fact]
    public void AContainerWithPwd_KeepsIt()
    {
        var argv = LaunchCommand.ForContainer(Plain with { Environment = new Dictionary<string, string> { ["PWD"] = "/srv" } }, Tools, Procs, CapabilitySet.All, "/");

        argv[2].Should().Be(LaunchCommand.JoinScript, "only a PWD the container does not have is unset");
    }

    [Fact]
    public void NonRootUser_GetsItsCapabilitiesAmbient_AndNoGroupsOfRoot()
    {
        var options = LaunchCommand.SetprivOptions(Plain with { RunAsUser = 1000, RunAsGroup = 2000, NoNewPrivileges = true }, CapabilitySet.All);

        options.Should().Equal(
            "--reuid", "1000", "--regid", "2000", "--clear-groups",
            "--bounding-set", "-all,+chown,+net_raw", "--inh-caps", "-all,+chown,+net_raw", "--ambient-caps", "-all,+chown,+net_raw",
            "--no-new-privs");
    }

    [Fact]
    public void CapabilitiesThisProcessLacks_AreLeftOut()
    {
        var options = LaunchCommand.SetprivOptions(Plain with { Capabilities = CapabilitySet.All }, CapabilitySet.Of("KILL"));

        options.Should().Equal("--bounding-set", "-all,+kill", "--inh-caps", "-all,+kill");
    }

    [Fact]
    public void Exec_EntersTheContainer_WithItsCgroupAndPrivileges()
    {
        var argv = LaunchCommand.ForExec(Plain, 77, Tools, Procs, CapabilitySet.All, "/", ["cat", "/etc/hostname"]);

        argv.Should().Equal(
            "/bin/sh", "-c", LaunchCommand.JoinScriptWithoutPwd, "sh", Procs[0], Procs[1], "--",
            "/bin/nsenter", "--target", "77", "--net", "--pid", "--mount", "--wd=/", "--",
            "/bin/setpriv", "--bounding-set", "-all,+chown,+net_raw", "--inh-caps", "-all,+chown,+net_raw", "--",
            "cat", "/etc/hostname");
    }

    [Fact]
    public void ContainerWithItsOwnRoot_EntersItFirst_AndUnshareSetsTheWorkingDirectory()
    {
        var launch = Plain with { NetnsName = "cte-pod", Mounts = [new("/n/var/tmp", "/n", "/host", false)], MountStaging = "/s" };

        var argv = LaunchCommand.ForContainer(launch, Tools, Procs, CapabilitySet.All, "/host", "/proc/1/task/2/ns/mnt");

        argv.Skip(7).Take(12).Should().Equal(
            "/bin/nsenter", "--mount=/proc/1/task/2/ns/mnt", "--",
            "/sbin/ip", "netns", "exec", "cte-pod",
            "/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child");
        argv.Skip(19).Take(2).Should().Equal("--wd=/host", "--");
        LaunchCommand.ForExec(launch, 77, Tools, Procs, CapabilitySet.All, "/host", ["ls"]).Should().Contain("--wdns=/host", "exec opens the directory inside the container's filesystem");
    }

    [Fact]
    public void WithoutVolumes_NothingIsEntered_AsBefore()
    {
        var argv = LaunchCommand.ForContainer(Plain with { Mounts = [] }, Tools, Procs, CapabilitySet.All, "/");

        argv.Should().NotContain(a => a.StartsWith("--mount=", StringComparison.Ordinal) || a.StartsWith("--wd", StringComparison.Ordinal));
    }

    [Fact]
    public void HostPid_GetsNoPidNamespace_NorItsOwnProc()
    {
        var argv = LaunchCommand.ForContainer(Plain with { HostPid = true }, Tools, Procs, CapabilitySet.All, "/");

        argv.Skip(7).Take(4).Should().Equal("/bin/unshare", "--fork", "--kill-child", "--");
    }
}
