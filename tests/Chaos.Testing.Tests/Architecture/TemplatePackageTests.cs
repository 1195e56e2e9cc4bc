using System.Text.Json;
using System.Xml.Linq;

namespace Chaos.Testing.Tests.Architecture;

/// <summary>
/// The `dotnet new` templates reference what this repository builds and tests with: the Chaos.Testing packages at the
/// one version of Directory.Build.props, the test packages at the versions of Directory.Packages.props (they are known
/// to restore). eng/consumer-test.sh creates both projects from the packed template and runs them.
/// </summary>
public sealed class TemplatePackageTests
{
    private static readonly string Content = Path.Combine(SourceTree.Root, "templates", "Chaos.Testing.Templates", "content");

    [Theory]
    [InlineData("chaos-xunit")]
    [InlineData("chaos-nunit")]
    public void TheTemplate_DefaultsToThisVersion_AndPinsTheRepositorysTestPackages(string template)
    {
        var props = XDocument.Load(Path.Combine(SourceTree.Root, "Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;
        var pins = XDocument.Load(Path.Combine(SourceTree.Root, "Directory.Packages.props"));
        var pinned = pins.Descendants("PackageVersion").ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
        pinned["NUnit"] = pins.Descendants("NUnitTestVersion").Single().Value;

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Content, template, ".template.config", "template.json")));
        var symbols = json.RootElement.GetProperty("symbols");
        symbols.GetProperty("ChaosTestingVersion").GetProperty("defaultValue").GetString().Should().Be(version);
        json.RootElement.GetProperty("shortName").GetString().Should().Be(template);

        var project = XDocument.Load(Path.Combine(Content, template, "ChaosTests.csproj"));
        var references = project.Descendants("PackageReference").ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
        references.Should().NotBeEmpty();
        foreach (var (name, value) in references)
        {
            if (name.StartsWith("Chaos.Testing", StringComparison.Ordinal))
            {
                value.Should().Be("CHAOS_TESTING_VERSION", $"{name} takes the template's version parameter");
                File.Exists(Path.Combine(SourceTree.Root, "src", name, name + ".csproj")).Should().BeTrue($"{name} is a package of this repository");
            }
            else
            {
                pinned.Should().ContainKey(name).WhoseValue.Should().Be(value, $"{template} pins {name} as Directory.Packages.props does");
            }
        }
    }
}
