namespace Chaos.Testing.Tests.Architecture;

/// <summary>The shape the code keeps: small files, folders that depend on each other one way only.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void SourceFiles_AreAtMost300Lines()
    {
        var long_ = SourceTree.CSharpFiles("src")
            .Select(f => (File: Path.GetRelativePath(SourceTree.Root, f), Lines: File.ReadAllLines(f).Length))
            .Where(f => f.Lines > 300)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToList();
        long_.Should().BeEmpty("a file over 300 lines holds more than one concern: split it (partial files by concern, one type per file)");
    }

    [Theory]
    [InlineData("src/Chaos.Testing")]
    [InlineData("src/Chaos.Testing.Emulator")]
    public void Folders_DependOnEachOtherOneWayOnly(string package)
    {
        var edges = SourceTree.FolderDependencies(package);
        var cycles = SourceTree.Cycles(edges).Select(cycle => string.Join("\n  ",
            cycle.SelectMany(from => cycle.Where(to => edges.GetValueOrDefault(from)?.ContainsKey(to) == true)
                .Select(to => $"{from} -> {to} ({string.Join(", ", edges[from][to].Take(3))})"))));
        cycles.Should().BeEmpty("each folder builds on the ones below it (docs/architecture.md); a cycle means a type sits in the wrong folder");
    }

    [Fact]
    public void TheCycleFinder_FindsACycle()
    {
        var edges = new Dictionary<string, Dictionary<string, SortedSet<string>>>
        {
            ["Engine"] = new() { ["Faults"] = ["a"] },
            ["Faults"] = new() { ["Ledger"] = ["b"], ["Engine"] = ["c"] },
        };
        SourceTree.Cycles(edges).Should().ContainSingle().Which.Should().BeEquivalentTo(["Engine", "Faults"]);
    }

    [Fact]
    public void TheDependencyReader_SeesAUseInAnotherFolder()
    {
        var edges = SourceTree.FolderDependencies("src/Chaos.Testing");
        edges["Recovery"].Should().ContainKey("Faults", "the janitor restores through the fault catalog");
        edges.GetValueOrDefault("Engine")?.Keys.Should().NotContain("Faults", "the engine runs any IFault and knows no catalog");
    }
}
