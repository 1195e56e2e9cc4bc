using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads;

/// <summary>The script skeleton every payload shares, run for real with the host's sh.</summary>
public sealed class PayloadScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-payload-").FullName;

    [Fact]
    public async Task Render_InstallsHoldsAndRemovesAtTheEnd()
    {
        var marker = Path.Combine(_dir, "it's here");   // a quote and a space: quoting is tested too
        var script = new PayloadScript("t1").Install("touch", marker).Cleanup("rm", "-f", marker);

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromSeconds(1))));
        await payload.WaitInstalledAsync();
        File.Exists(marker).Should().BeTrue();

        (await payload.WaitForExitAsync()).Should().Be(0);
        File.Exists(marker).Should().BeFalse("the EXIT trap removes the fault after the hold");
    }

    [Fact]
    public async Task Render_WithTheTestSwitchInThisFlowOnly_LeavesOutTheInstallStepsButTheMarker_AndStillSaysInstalled()
    {
        var script = new PayloadScript("t9").Install("touch", Path.Combine(_dir, "m")).StopWhenUnmarked();
        var elsewhere = Task.Run(async () =>
        {
            await Task.Yield();
            return script.Render(TimeSpan.FromSeconds(1));
        });

        PayloadScript.InstallsNothingForTests.Value = true;
        string sabotaged;
        try
        {
            sabotaged = script.Render(TimeSpan.FromSeconds(1));
        }
        finally
        {
            PayloadScript.InstallsNothingForTests.Value = false;
        }

        sabotaged.Should().NotContain("touch").And.Contain("iptables -w 5 -A INPUT -m comment --comment chaos-t9").And.Contain(PayloadProtocol.InstalledMarker);
        (await elsewhere).Should().Contain("touch", "a flow that did not set the switch renders every step");
        script.Render(TimeSpan.FromSeconds(1)).Should().Contain("touch");
    }

    [Fact]
    public async Task Render_TermDuringTheHold_RemovesTheFaultAtOnce()
    {
        var marker = Path.Combine(_dir, "m");
        var script = new PayloadScript("t2").Install("touch", marker).Cleanup("rm", "-f", marker);

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(10))));
        await payload.WaitInstalledAsync();
        payload.Terminate();

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        File.Exists(marker).Should().BeFalse();
    }

    [Fact]
    public async Task Render_AFailedInstallStep_CleansUpWhatWasInstalledAndExitsNonZero()
    {
        var first = Path.Combine(_dir, "first");
        var script = new PayloadScript("t3")
            .Install("touch", first).Cleanup("rm", "-f", first)
            .Install("false");

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(10))));

        (await payload.WaitForExitAsync()).Should().Be(1);
        payload.Output.Should().Contain("chaos: install failed: false");
        File.Exists(first).Should().BeFalse();
    }

    [Fact]
    public async Task RenderCleanup_StopsThePayloadAndRemovesTheFault_EvenIfThePayloadWasKilledHard()
    {
        var marker = Path.Combine(_dir, "m");
        var script = new PayloadScript("t4").Install("touch", marker).Cleanup("rm", "-f", marker);
        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(10))));
        await payload.WaitInstalledAsync();

        await using (var cleanup = PayloadProcess.Start(["sh", "-c", script.RenderCleanup(), "cleanup"]))
        {
            (await cleanup.WaitForExitAsync()).Should().Be(0);
            cleanup.Output.Should().Contain("chaos: cleaned up");
        }

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0, "the cleanup sent TERM to the payload");
        File.Exists(marker).Should().BeFalse();

        // A payload killed with SIGKILL cannot clean up: the cleanup script does it itself.
        File.WriteAllText(marker, "left by a killed payload");
        await using (var again = PayloadProcess.Start(["sh", "-c", script.RenderCleanup(), "cleanup"]))
        {
            (await again.WaitForExitAsync()).Should().Be(0);
        }

        File.Exists(marker).Should().BeFalse();
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(reboot)", "'$(reboot)'")]
    [InlineData("", "''")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    public void Quote_QuotesEverythingTheShellWouldInterpret(string argument, string expected) =>
        Shell.Quote(argument).Should().Be(expected);

    [Fact]
    public void Tag_WithShellCharacters_IsRejected() =>
        FluentActions.Invoking(() => new PayloadScript("x;rm -rf /")).Should().Throw<ArgumentException>();

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
