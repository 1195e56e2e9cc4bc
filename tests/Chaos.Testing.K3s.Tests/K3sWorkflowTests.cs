using System.Text.RegularExpressions;

namespace Chaos.Testing.K3s.Tests;

/// <summary>The K3s workflow cannot run here; these keep it, docs/k3s.md and the harness's own defaults saying the same.</summary>
public sealed class K3sWorkflowTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void The_workflow_preloads_the_harness_defaults_and_hides_no_failure()
    {
        var workflow = File.ReadAllText(Path.Combine(Root, ".github/workflows/k3s.yml"));

        Regex.Match(workflow, @"CHAOS_K3S_IMAGE: (\S+)").Groups[1].Value.Should().Be(K3sChaosClusterOptions.DefaultImage);
        Regex.Match(workflow, @"K3S_VERSION: (\S+)").Groups[1].Value.Should().Be(K3sChaosClusterOptions.DefaultImage.Split(':')[1].Replace("-k3s", "+k3s", StringComparison.Ordinal));
        var images = Regex.Match(workflow, @"PAYLOAD_IMAGES: >-\n((?:\s{8}\S+\n)+)").Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        images.Should().Equal(K3sChaosClusterOptions.PayloadImages);
        workflow.Should().Contain("sudo modprobe sch_netem").And.Contain("sudo apt-get update").And.Contain("grep -q '^sch_netem ' /proc/modules");
        workflow.Should().Contain("CHAOS_K3S_IMAGE_TARBALLS=").And.Contain("dotnet test tests/Chaos.Testing.K3s.Tests");
        workflow.Should().NotContain("|| true", "a failing step must fail the job");
    }

    [Fact]
    public void The_docs_point_at_the_workflow_and_hide_no_failure_either()
    {
        var docs = File.ReadAllText(Path.Combine(Root, "docs/k3s.md"));

        docs.Should().Contain("(../.github/workflows/k3s.yml)").And.Contain("linux-modules-extra-$(uname -r)").And.NotContain("|| true");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chaos.Testing.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Chaos.Testing.sln above {AppContext.BaseDirectory}");
    }
}
