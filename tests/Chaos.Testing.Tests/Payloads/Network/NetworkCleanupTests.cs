using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>
/// Every network payload leaves the pod's network namespace exactly as it found it: iptables rules, qdiscs, tc filters
/// and links compared before and after, on TERM and through the early-recovery script after a SIGKILL.
/// </summary>
public sealed class NetworkCleanupTests
{
    [PayloadTheory("ip", "tc", "iptables", "iptables-save")]
    [InlineData("partition")]
    [InlineData("loss")]
    [InlineData("bandwidth")]
    [InlineData("filtered-bandwidth")]
    public async Task Term_LeavesNoRuleQdiscOrIfbDevice(string kind)
    {
        using var pair = new NetnsPair();
        var script = Script(kind, pair, $"c-{pair.Suffix}");
        var before = NetTools.State(pair.Pod);

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(1))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        NetTools.State(pair.Pod).Should().NotBe(before, $"the {kind} payload changed the namespace");
        payload.Terminate();

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        NetTools.State(pair.Pod).Should().Be(before);
    }

    [PayloadTheory("ip", "tc", "iptables", "iptables-save", "pgrep")]
    [InlineData("partition")]
    [InlineData("loss")]
    [InlineData("bandwidth")]
    [InlineData("filtered-bandwidth")]
    public async Task RenderCleanup_AfterThePayloadWasKilled_RemovesEverything(string kind)
    {
        using var pair = new NetnsPair();
        var script = Script(kind, pair, $"k-{pair.Suffix}");
        var before = NetTools.State(pair.Pod);

        // A short hold: the orphaned sleep of the killed payload ends soon after the test.
        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromSeconds(20))), netns: pair.Pod);
        await payload.WaitInstalledAsync();
        var installed = NetTools.State(pair.Pod);
        payload.Signal("KILL");
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(137, "SIGKILL gives the payload no chance to clean up");
        NetTools.State(pair.Pod).Should().Be(installed, "the fault outlives a killed payload");

        await using var cleanup = PayloadProcess.Start(["sh", "-c", script.RenderCleanup(), "cleanup"], netns: pair.Pod);
        (await cleanup.WaitForExitAsync()).Should().Be(0);
        cleanup.Output.Should().Contain("chaos: cleaned up");
        NetTools.State(pair.Pod).Should().Be(before);

        await using var again = PayloadProcess.Start(["sh", "-c", script.RenderCleanup(), "cleanup"], netns: pair.Pod);
        (await again.WaitForExitAsync()).Should().Be(0, "the cleanup is idempotent");
        NetTools.State(pair.Pod).Should().Be(before);
    }

    private static PayloadScript Script(string kind, NetnsPair pair, string tag) => SamplePayloads.For(kind, pair, tag);
}
