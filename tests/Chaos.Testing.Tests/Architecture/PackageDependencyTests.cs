using System.Xml.Linq;

namespace Chaos.Testing.Tests.Architecture;

/// <summary>
/// The core package depends on no assertion library: a project on FluentAssertions 8 or AwesomeAssertions must not get
/// FluentAssertions 7 with it (that compiled, then failed at run time with MissingMethodException).
/// </summary>
public sealed class PackageDependencyTests
{
    private static readonly string[] AssertionLibraries = ["FluentAssertions", "AwesomeAssertions", "Shouldly", "NFluent"];

    [Fact]
    public void TheCoreAssembly_ReferencesNoAssertionLibrary() =>
        typeof(ChaosResult).Assembly.GetReferencedAssemblies().Select(a => a.Name)
            .Should().NotContain(name => AssertionLibraries.Any(l => string.Equals(name, l, StringComparison.OrdinalIgnoreCase)));

    [Theory]
    [InlineData("Chaos.Testing")]
    [InlineData("Chaos.Testing.Emulator")]
    [InlineData("Chaos.Testing.Xunit")]
    [InlineData("Chaos.Testing.Xunit.V3")]
    [InlineData("Chaos.Testing.NUnit")]
    [InlineData("Chaos.Testing.K3s")]
    public void APackageOtherThanTheAssertionOnes_HasNoAssertionLibraryReference(string project)
    {
        var csproj = XDocument.Load(Path.Combine(SourceTree.Root, "src", project, project + ".csproj"));
        csproj.Descendants("PackageReference").Select(e => (string?)e.Attribute("Include"))
            .Should().NotContain(name => AssertionLibraries.Contains(name), $"{project} must leave the assertion library to the test project");
    }
}
