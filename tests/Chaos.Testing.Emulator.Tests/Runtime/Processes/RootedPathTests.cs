using Chaos.Testing.Emulator.Runtime.Mounts;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>Paths resolved inside a root: no link and no ".." leads out of it; the missing part is told apart.</summary>
public sealed class RootedPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cte-rooted-").FullName;

    [Fact]
    public void AbsoluteLink_StartsAgainAtTheRoot_NotAtThisMachinesRoot()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.CreateSymbolicLink(Path.Combine(_root, "escape"), "/");

        var resolved = RootedPath.Resolve(_root, "/escape/etc");

        resolved.Should().Match<RootedPath>(r => r.Exists && r.Full == Path.Combine(_root, "etc") && r.Kind == EntryKind.Directory);
    }

    [Fact]
    public void DotDot_AndRelativeLinks_StopAtTheRoot()
    {
        Directory.CreateDirectory(Path.Combine(_root, "a/b"));
        File.CreateSymbolicLink(Path.Combine(_root, "a/b/up"), "../../../../..");

        RootedPath.Resolve(_root, "/../../a").Full.Should().Be(Path.Combine(_root, "a"));
        RootedPath.Resolve(_root, "a/b/up").Full.Should().Be(_root);
    }

    [Fact]
    public void MissingPart_IsListed_BelowTheDeepestExistingFolder()
    {
        Directory.CreateDirectory(Path.Combine(_root, "var/tmp"));
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "var");

        var resolved = RootedPath.Resolve(_root, "/link/tmp/new/deeper");

        resolved.Exists.Should().BeFalse();
        resolved.Existing.Should().Be(Path.Combine(_root, "var/tmp"));
        resolved.Missing.Should().Equal("new", "deeper");
    }

    [Fact]
    public void LinkLoops_AndNamesBelowAFile_AreErrors()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");
        File.WriteAllText(Path.Combine(_root, "file"), "x");

        ((Action)(() => RootedPath.Resolve(_root, "loop/x"))).Should().Throw<IOException>().WithMessage("*symbolic links*");
        ((Action)(() => RootedPath.Resolve(_root, "file/x"))).Should().Throw<IOException>().WithMessage("*not a folder*");
    }

    [Fact]
    public void MountTable_DecodesEscapes_AndListsTheMountsBelowAFolder_DeepestFirst()
    {
        const string info = "1 0 8:1 / / rw - ext4 /dev/sda rw\n" +
            "2 1 0:5 / /run/x/nodes/node\\0401 rw - tmpfs t rw\n" +
            "3 2 0:6 / /run/x/nodes/node\\0401/var/lib/kubelet/pods/u/e rw - tmpfs t rw\n" +
            "4 1 0:7 / /run/xy rw - tmpfs t rw\n";

        MountTable.Under("/run/x", info).Should().Equal("/run/x/nodes/node 1/var/lib/kubelet/pods/u/e", "/run/x/nodes/node 1");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
