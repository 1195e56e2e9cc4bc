using System.Diagnostics;
using System.Globalization;
using k8s;

namespace Chaos.Testing.Emulator.Tests;

/// <summary>
/// The kubeconfig an emulator writes: a name nobody can guess, owner-only, created new (never through a symlink),
/// deleted on dispose, and the files of dead emulator processes deleted at the next start.
/// </summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chaos-kubeconfig-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task StartAsync_DefaultKubeconfig_HasAnUnpredictableNameWithThePidAndMode0600()
    {
        // Act
        await using var first = await KubernetesEmulator.StartAsync();
        await using var second = await KubernetesEmulator.StartAsync();

        // Assert
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        Path.GetDirectoryName(first.KubeconfigPath).Should().Be(Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar));
        Path.GetFileName(first.KubeconfigPath).Should().MatchRegex($"^chaos-emulator-{pid}-[a-z0-9]{{16}}\\.kubeconfig$");
        Path.GetFileName(first.KubeconfigPath).Should().NotContain(first.BaseAddress.Port.ToString(CultureInfo.InvariantCulture) + ".");
        first.KubeconfigPath.Should().NotBe(second.KubeconfigPath);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(first.KubeconfigPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(first.KubeconfigPath);
        config.Host.TrimEnd('/').Should().Be(first.BaseAddress.ToString().TrimEnd('/'));
    }

    [Fact]
    public void CreateNew_SymlinkAlreadyThere_IsRefusedAndItsTargetUntouched()
    {
        // Arrange
        var victim = Path.Combine(_directory, "victim");
        File.WriteAllText(victim, "keep");
        var path = Path.Combine(_directory, "chaos-emulator-1-aaaaaaaaaaaaaaaa.kubeconfig");
        File.CreateSymbolicLink(path, victim);

        // Act
        var act = () => KubeconfigFile.CreateNew(path, "apiVersion: v1");

        // Assert
        act.Should().Throw<IOException>();
        File.ReadAllText(victim).Should().Be("keep");
    }

    [Fact]
    public async Task StartAsync_ConfiguredPathIsASymlink_ReplacesTheLinkAndLeavesItsTargetAlone()
    {
        // Arrange
        var victim = Path.Combine(_directory, "victim");
        File.WriteAllText(victim, "keep");
        var path = Path.Combine(_directory, "config");
        File.CreateSymbolicLink(path, victim);

        // Act
        await using (var cluster = await KubernetesEmulator.StartAsync(o => o.KubeconfigPath = path))
        {
            // Assert
            File.ReadAllText(victim).Should().Be("keep");
            new FileInfo(path).LinkTarget.Should().BeNull("the link itself was replaced by a regular file");
            File.ReadAllText(path).Should().Contain(cluster.BaseAddress.ToString().TrimEnd('/'));
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        Directory.GetFiles(_directory).Select(Path.GetFileName).Should().BeEquivalentTo(["victim", "config"], "no staging file is left");
    }

    [Fact]
    public async Task RemoveStale_FilesOfDeadAndLiveProcesses_RemovesOnlyTheDeadOnesOfItsOwnNaming()
    {
        // Arrange
        var deadPid = await PidOfAnEndedProcessAsync();
        string File(string name)
        {
            var path = Path.Combine(_directory, name);
            System.IO.File.WriteAllText(path, "x");
            return path;
        }

        var dead = File($"chaos-emulator-{deadPid}-abcdefghij012345.kubeconfig");
        var live = File($"chaos-emulator-{Environment.ProcessId}-abcdefghij012345.kubeconfig");
        var oldNaming = File("chaos-emulator-41234.kubeconfig");
        var other = File($"chaos-emulator-{deadPid}-short.kubeconfig");

        // Act
        var removed = KubeconfigFile.RemoveStale(_directory);

        // Assert
        removed.Should().Be(1);
        System.IO.File.Exists(dead).Should().BeFalse("its process has ended");
        System.IO.File.Exists(live).Should().BeTrue("its process is running");
        System.IO.File.Exists(oldNaming).Should().BeTrue("not a name this version gives");
        System.IO.File.Exists(other).Should().BeTrue("not a name this version gives");
    }

    [Fact]
    public async Task StartAsync_StaleKubeconfigOfADeadProcessInTemp_IsRemoved()
    {
        // Arrange
        var stale = Path.Combine(Path.GetTempPath(), $"chaos-emulator-{await PidOfAnEndedProcessAsync()}-zzzzzzzzzzzzzzzz.kubeconfig");
        File.WriteAllText(stale, "left behind by a killed test run");

        // Act
        await using var cluster = await KubernetesEmulator.StartAsync();

        // Assert
        File.Exists(stale).Should().BeFalse();
        File.Exists(cluster.KubeconfigPath).Should().BeTrue();
    }

    private static async Task<int> PidOfAnEndedProcessAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
        return process.Id;
    }
}
