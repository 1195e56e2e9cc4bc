using Chaos.Testing.Emulator.Runtime.Mounts;
using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>
/// Volumes: bound at their paths in a filesystem of the container's own; a path missing on this machine is made there
/// and never here; the machine's files stay visible; nothing mounted leaks out.
/// </summary>
public sealed class ContainerMountTests : ContainerTest
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..10];

    [RootFact]
    public async Task MountAtAPathMissingOnTheMachine_IsSeenInside_AndTheMachinesPathIsNeverMade()
    {
        var volume = Volume("data");
        var target = $"/chaos-test-volume-{_tag}";

        var (exit, lines) = await RunToEnd(WithMounts(Launch("sh", "-c", $"echo written > {target}/file && cat /etc/hostname >/dev/null && ls {target}"), new VolumeMount(volume, Scratch, target, false)));

        exit.ExitCode.Should().Be(0, string.Join("\n", lines.Select(l => l.Text)));
        lines.Select(l => l.Text).Should().Equal("file");
        File.ReadAllText(Path.Combine(volume, "file")).Should().Be("written\n", "the container wrote into the volume");
        Path.Exists(target).Should().BeFalse("the mount point is made in the container's own root, never on this machine");
        MountTable.Under(Scratch).Should().BeEmpty("nothing the container's filesystem mounted is seen outside it");
    }

    [RootFact]
    public async Task MountInAFolderOfTheMachine_KeepsTheFolderVisible_AndWhatIsNewThereStaysInside()
    {
        var volume = Volume("conf");
        var target = $"/etc/chaos-test-{_tag}";

        var (exit, lines) = await RunToEnd(WithMounts(
            Launch("sh", "-c", $"head -c 4 /etc/passwd; echo; echo conf > {target}/app.conf; echo stray > /etc/chaos-stray-{_tag}; cat /etc/chaos-stray-{_tag}"),
            new VolumeMount(volume, Scratch, target, false)));

        exit.ExitCode.Should().Be(0, string.Join("\n", lines.Select(l => l.Text)));
        lines.Select(l => l.Text).Should().Equal("root", "stray");
        File.ReadAllText(Path.Combine(volume, "app.conf")).Should().Be("conf\n");
        Path.Exists(target).Should().BeFalse();
        Path.Exists($"/etc/chaos-stray-{_tag}").Should().BeFalse("a new entry in a folder laid over goes to the container's tmpfs");
    }

    [RootFact]
    public async Task MountOverAnExistingFolder_HidesItInsideOnly()
    {
        var volume = Volume("tmp");
        File.WriteAllText(Path.Combine(volume, "inside"), "x");
        var hostFolder = Directory.CreateDirectory(Path.Combine(Scratch, "existing")).FullName;
        File.WriteAllText(Path.Combine(hostFolder, "outside"), "y");

        var (exit, lines) = await RunToEnd(WithMounts(Launch("ls", hostFolder), new VolumeMount(volume, Scratch, hostFolder, false)));

        exit.ExitCode.Should().Be(0);
        lines.Select(l => l.Text).Should().Equal("inside");
        Directory.GetFiles(hostFolder).Select(Path.GetFileName).Should().Equal("outside");
    }

    [RootFact]
    public async Task ReadOnlyMount_RefusesWrites_AndAFileCanBeMounted()
    {
        var volume = Volume("ro");
        var file = Path.Combine(Scratch, "settings.txt");
        File.WriteAllText(file, "setting=1\n");

        var (exit, lines) = await RunToEnd(WithMounts(
            Launch("sh", "-c", $"cat /opt/chaos-{_tag}/settings.txt; touch /chaos-ro-{_tag}/x 2>/dev/null && echo wrote || echo refused"),
            new VolumeMount(volume, Scratch, $"/chaos-ro-{_tag}", true),
            new VolumeMount(file, Scratch, $"/opt/chaos-{_tag}/settings.txt", false)));

        exit.ExitCode.Should().Be(0);
        lines.Select(l => l.Text).Should().Equal("setting=1", "refused");
        Directory.GetFiles(volume).Should().BeEmpty();
    }

    [RootFact]
    public async Task WorkingDirectoryInAVolume_AndExec_SeeTheContainersFiles()
    {
        var volume = Volume("work");
        File.WriteAllText(Path.Combine(volume, "marker"), "m");
        var target = $"/chaos-work-{_tag}";
        var launch = WithMounts(Launch("sh", "-c", "pwd; ls; exec sleep 600"), new VolumeMount(volume, Scratch, target, false)) with { WorkingDirectory = target };
        var container = Start(launch);
        await WaitForLine(launch, "marker");

        var exec = await container.ExecAsync(["sh", "-c", "pwd; ls"], Slow);

        ContainerLog.Read(launch.LogPath, new LogQuery()).Select(l => l.Text).Should().StartWith([target, "marker"]);
        exec.Output.Should().Be($"{target}\nmarker\n", "exec enters the container's filesystem and its working directory there");
    }

    [RootFact]
    public void SourceOutsideItsScope_IsRefused()
    {
        var outside = Directory.CreateTempSubdirectory("cte-outside-").FullName;
        try
        {
            var start = () => Start(WithMounts(Launch("true"), new VolumeMount(outside, Scratch, "/x", false)));

            start.Should().Throw<ContainerStartException>().Which.Message.Should().Contain("outside");
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    [RootFact]
    public async Task HostPid_SeesTheMachinesProcesses_AndIsNotPid1()
    {
        var (exit, lines) = await RunToEnd(Launch("sh", "-c", $"echo $$; test -d /proc/{Environment.ProcessId} && echo sees-the-test") with { HostPid = true });

        exit.ExitCode.Should().Be(0);
        lines.Select(l => l.Text).Should().HaveCount(2).And.EndWith("sees-the-test");
        lines[0].Text.Should().NotBe("1", "a hostPID container's process is an ordinary process of this machine");
    }

    private string Volume(string name) => Directory.CreateDirectory(Path.Combine(Scratch, "volumes", name)).FullName;

    private ContainerLaunch WithMounts(ContainerLaunch launch, params VolumeMount[] mounts) =>
        launch with { Mounts = mounts, MountStaging = Directory.CreateDirectory(Path.Combine(Scratch, "rootfs")).FullName };
}
