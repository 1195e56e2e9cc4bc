using Chaos.Testing.Tests.Payloads.Network;
using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads;

/// <summary>
/// The code-built cleanup (<see cref="PayloadCleanup"/>), run for real in a network namespace after a payload was
/// killed: it removes exactly what the payload tagged, leaves what it did not, and exits 1 naming what it cannot remove.
/// </summary>
public sealed class PayloadCleanupTests
{
    [PayloadTheory("ip", "tc", "iptables", "iptables-save", "pgrep")]
    [InlineData("partition")]
    [InlineData("loss")]
    [InlineData("bandwidth")]
    [InlineData("filtered-bandwidth")]
    public async Task TagCleanup_AfterThePayloadWasKilled_RemovesWhatItInstalled_AndNothingElse(string kind)
    {
        using var pair = new NetnsPair();
        var tag = $"t{pair.Suffix.Replace("x", "0", StringComparison.Ordinal)}";
        var script = Script(kind, pair, tag);

        // Someone else's rule, and a rule of another experiment whose tag starts with this one's: both must stay.
        NetnsPair.Exec(pair.Pod, "iptables", "-w", "5", "-I", "INPUT", "-s", "192.0.2.9", "-m", "comment", "--comment", "not-chaos", "-j", "DROP");
        NetnsPair.Exec(pair.Pod, "iptables", "-w", "5", "-t", "nat", "-I", "OUTPUT", "-d", "192.0.2.8", "-m", "comment", "--comment", $"chaos-{tag}0", "-j", "RETURN");
        var before = NetTools.State(pair.Pod);

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromSeconds(20))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        payload.Signal("KILL");
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(137);
        NetTools.State(pair.Pod).Should().NotBe(before, "the fault outlives a killed payload");

        await using var cleanup = PayloadProcess.Start(["sh", "-c", PayloadCleanup.Render(tag, new PayloadCleanupTargets("eth0")), "chaos-cleanup"], netns: pair.Pod);
        (await cleanup.WaitForExitAsync()).Should().Be(0, cleanup.Output);
        cleanup.Output.Should().Contain(PayloadCleanup.CleanedMarker);
        NetTools.State(pair.Pod).Should().Be(before);
    }

    [PayloadFact("ip", "iptables", "iptables-save", "pgrep")]
    public async Task TagCleanup_ARuleItCannotDelete_ExitsOneNamingIt()
    {
        using var pair = new NetnsPair();
        var tag = $"u{pair.Suffix.Replace("x", "0", StringComparison.Ordinal)}";

        // Tagged, but with a quoted second comment: the cleanup never interprets rule text, so it cannot delete it.
        NetnsPair.Exec(pair.Pod, "iptables", "-w", "5", "-I", "OUTPUT", "-d", "192.0.2.7", "-m", "comment", "--comment", $"chaos-{tag}",
            "-m", "comment", "--comment", "$(touch /tmp/owned) x", "-j", "DROP");

        await using var cleanup = PayloadProcess.Start(["sh", "-c", PayloadCleanup.Render(tag, new PayloadCleanupTargets("eth0")), "chaos-cleanup"], netns: pair.Pod);

        (await cleanup.WaitForExitAsync()).Should().Be(1);
        cleanup.Output.Should().Contain(PayloadCleanup.LeftPrefix).And.Contain($"iptables -t filter -A OUTPUT -d 192.0.2.7/32 -m comment --comment chaos-{tag}");
        File.Exists("/tmp/owned").Should().BeFalse("rule text is never evaluated");
    }

    [PayloadFact("chattr", "pgrep")]
    public async Task TagCleanup_AnImmutableFillFile_ExitsOneNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("chaos-fill-").FullName;
        var tag = "immutable1";
        var file = Path.Combine(dir, DiskFillPayloads.FileName(tag));
        await File.WriteAllTextAsync(file, "x");
        PayloadEnvironment.Run("chattr", "+i", file);
        try
        {
            await using var cleanup = PayloadProcess.Start(["sh", "-c", PayloadCleanup.Render(tag, new PayloadCleanupTargets(FillFile: file)), "chaos-cleanup"]);

            (await cleanup.WaitForExitAsync()).Should().Be(1);
            cleanup.Output.Should().Contain(PayloadCleanup.LeftPrefix).And.Contain($"file {file}");
        }
        finally
        {
            PayloadEnvironment.Run("chattr", "-i", file);
            Directory.Delete(dir, recursive: true);
        }
    }

    [PayloadFact("pgrep")]
    public async Task TagCleanup_TheFolderOfAStressPayloadKilledBeforeItsTrap_IsRemoved_AndOneNotEmptyIsNamed()
    {
        // A stress payload that shared its target's PID namespace dies with the target's first process, trap and all.
        var tag = $"stressdir{Environment.ProcessId}";
        var dir = StressPayloads.TagDirectory(tag);
        Directory.CreateDirectory(dir);
        try
        {
            await using (var cleanup = PayloadProcess.Start(["sh", "-c", PayloadCleanup.Render(tag, new PayloadCleanupTargets()), "chaos-cleanup"]))
            {
                (await cleanup.WaitForExitAsync()).Should().Be(0, cleanup.Output);
                Directory.Exists(dir).Should().BeFalse("the cleanup removed the payload's empty folder");
            }

            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, "kept"), "x");
            await using (var cleanup = PayloadProcess.Start(["sh", "-c", PayloadCleanup.Render(tag, new PayloadCleanupTargets()), "chaos-cleanup"]))
            {
                (await cleanup.WaitForExitAsync()).Should().Be(1);
                cleanup.Output.Should().Contain(PayloadCleanup.LeftPrefix).And.Contain($"folder {dir} (not empty)");
                File.Exists(Path.Combine(dir, "kept")).Should().BeTrue("only an empty folder is removed");
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static PayloadScript Script(string kind, NetnsPair pair, string tag) => SamplePayloads.For(kind, pair, tag);
}
