using Chaos.Testing.Tests.Architecture;

namespace Chaos.Testing.Tests.Docs;

/// <summary>Each payload fault's docs page states its image's tool contract as <see cref="PayloadImages"/> holds it.</summary>
public sealed class PayloadImageDocsTests
{
    public static TheoryData<string> PayloadFaults() => [.. PayloadImages.Faults.Keys];

    [Theory]
    [MemberData(nameof(PayloadFaults))]
    public void FaultPage_ListsTheToolsItsScriptsCall_AndItsDefaultImage(string fault)
    {
        var (image, calls) = PayloadImages.Faults[fault];
        var page = File.ReadAllText(Path.Combine(SourceTree.Root, FaultCatalog.Find(fault)!.DocsPage));
        var section = page[page.IndexOf("\n## Image\n", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", 10, StringComparison.Ordinal) is var end and > 0 ? end : section.Length)];

        var line = section.Split('\n').Single(l => l.StartsWith("Tools: ", StringComparison.Ordinal));
        line["Tools: ".Length..].Split(", ").Select(t => t.Trim('`')).Should().BeEquivalentTo(calls, $"docs/faults/{fault}.md lists the tools of PayloadImages.Faults");
        section.Should().Contain($"`{image.Reference}`");
        page.Should().NotContain("alexeiled/stress-ng", "that image is FROM scratch: no sh, no pgrep");
    }
}
