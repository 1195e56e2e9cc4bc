using Chaos.Testing.Emulator.Runtime.Processes;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>
/// A payload container of a default payload image finds on <c>PATH</c> only the tools that image provides
/// (Chaos.Testing's <c>PayloadImages</c>), as on a cluster; other containers of the same image keep this machine's tools.
/// </summary>
public sealed class PayloadImageToolsTests : ProcessRuntimeTest
{
    private const string HoldSeconds = "CHAOS_TESTING_HOLD_SECONDS";

    /// <summary>What the stress image's build provides, as <c>PayloadImages.StressNg</c> lists it.</summary>
    private static readonly string[] StressImageTools =
        ["sh", "cat", "cut", "dd", "grep", "head", "kill", "mkdir", "pgrep", "pkill", "rm", "rmdir", "sed", "sleep", "stat", "tr", "stress-ng"];

    [Fact]
    public void PayloadEnvironment_GetsAPathOfLinksToExactlyTheImagesTools_OthersKeepTheirs()
    {
        var state = Directory.CreateTempSubdirectory("image-tools-test");
        var payload = new Dictionary<string, string>(StringComparer.Ordinal) { [HoldSeconds] = "5", ["PATH"] = HostTools.DefaultPath };
        PayloadToolPath.Apply(StressFaultOptions.DefaultImage, state.FullName, payload);

        var links = Directory.GetFiles(payload["PATH"]).Select(Path.GetFileName).ToList();
        HostTools.Search("sh", payload["PATH"], "/").Should().NotBeNull("the container's sh is found on its PATH");
        links.Should().BeSubsetOf(StressImageTools).And.NotContain("iptables");
        links.Should().Contain(StressImageTools.Where(t => HostTools.Find(t) is not null), "every tool of the image this machine has is linked");

        var other = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = HostTools.DefaultPath };
        PayloadToolPath.Apply(StressFaultOptions.DefaultImage, state.FullName, other);
        other["PATH"].Should().Be(HostTools.DefaultPath, "a container that is no payload runs with the default PATH");
        var set = new Dictionary<string, string>(StringComparer.Ordinal) { ["CHAOS_TESTING_STOPS"] = "x", ["PATH"] = "/bin" };
        PayloadToolPath.Apply(DiskFillOptions.DefaultImage, state.FullName, set);
        set["PATH"].Should().Be("/bin", "a PATH the spec sets wins");
        state.Delete(recursive: true);
    }

    [ProcessRuntimeFact("iptables")]
    public async Task PayloadOfTheStressImage_DoesNotFindIptables_WhichThisMachineHas_ButFindsStressNgsShell()
    {
        await CreateAsync(ShellPod("app", "exec sleep 3600"));
        await PodAsync("app", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null, "the app runs");
        var payload = ShellPod("payload", "for t in sh pgrep iptables tc python3; do command -v $t >/dev/null 2>&1 && echo has:$t || echo lacks:$t; done; echo done", "Never", c =>
        {
            c.Image = StressFaultOptions.DefaultImage;
            c.Env = [new V1EnvVar { Name = HoldSeconds, Value = "1" }];
        });
        await CreateAsync(payload);

        var log = await LogContainsAsync("payload", "done");
        log.Should().Contain("has:sh").And.Contain("lacks:iptables").And.Contain("lacks:tc").And.Contain("lacks:python3");
        if (HostTools.Find("pgrep") is not null)
        {
            log.Should().Contain("has:pgrep");
        }
    }
}
