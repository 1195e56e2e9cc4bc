using System.Globalization;
using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.Stress;

/// <summary>The disk fill payload on real tmpfs mounts: use measured with df, the file checked after every way of ending.</summary>
public sealed class DiskFillPayloadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LongHold = TimeSpan.FromMinutes(2);

    [PayloadFact("fallocate", "df", "stat", "mount", "umount")]
    public async Task Fill_ReachesTheTargetPercent_AndTheFileIsGoneAfterTheHold()
    {
        using var fs = new Tmpfs("64m");
        var script = new PayloadScript("fill60").AddDiskFill(new DiskFillSpec(fs.Path, 60));
        var file = Path.Combine(fs.Path, DiskFillPayloads.FileName(script.Tag));

        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromSeconds(2))));
        await payload.WaitInstalledAsync();

        var percent = fs.UsePercent();
        output.WriteLine($"target 60%, df says {percent:F2}%\n{payload.Output}");
        percent.Should().BeInRange(58, 60.05, "the fill reaches the target and never goes beyond it");
        Directory.GetFiles(fs.Path).Should().Equal([file], "ONE file, named from the tag");
        payload.Output.Should().Contain("allocating").And.NotContain("writing zeros with dd");

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        File.Exists(file).Should().BeFalse();
        fs.UsePercent().Should().BeLessThan(1);
    }

    [PayloadFact("fallocate", "df", "stat", "mount", "umount")]
    public async Task Term_RemovesTheFile()
    {
        using var fs = new Tmpfs("64m");
        var script = new PayloadScript("fillterm").AddDiskFill(new DiskFillSpec(fs.Path, 90));
        await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));
        await payload.WaitInstalledAsync();
        fs.UsePercent().Should().BeInRange(88, 90.05);

        payload.Terminate();

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        Directory.GetFiles(fs.Path).Should().BeEmpty();
        fs.UsePercent().Should().BeLessThan(1);
    }

    [PayloadFact("fallocate", "df", "stat", "mount", "umount", "pgrep")]
    public async Task EarlyRecovery_AfterThePayloadWasKilledHard_RemovesTheFile()
    {
        using var fs = new Tmpfs("64m");
        var script = new PayloadScript("fillkill").AddDiskFill(new DiskFillSpec(fs.Path, 75));
        await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));
        await payload.WaitInstalledAsync();

        payload.Signal("KILL");
        await payload.WaitForExitAsync(TimeSpan.FromSeconds(15));
        fs.UsePercent().Should().BeInRange(73, 75.05, "SIGKILL leaves the fill behind");

        await using var cleanup = PayloadProcess.Start(["sh", "-c", script.RenderCleanup(), "cleanup"]);
        (await cleanup.WaitForExitAsync()).Should().Be(0);

        Directory.GetFiles(fs.Path).Should().BeEmpty();
        fs.UsePercent().Should().BeLessThan(1);
    }

    [PayloadFact("fallocate", "dd", "df", "stat", "mount", "umount")]
    public async Task Fill_AlreadyAboveTheTarget_AllocatesNothing()
    {
        using var fs = new Tmpfs("64m");
        var existing = Path.Combine(fs.Path, "data");
        PayloadEnvironment.Run("dd", "if=/dev/zero", $"of={existing}", "bs=1M", "count=32", "status=none");
        var before = fs.UsePercent();
        var script = new PayloadScript("fill30").AddDiskFill(new DiskFillSpec(fs.Path, 30));

        await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));
        await payload.WaitInstalledAsync();

        output.WriteLine(payload.Output);
        payload.Output.Should().Contain("is at 50% already, at or above the target 30%: nothing allocated");
        Directory.GetFiles(fs.Path).Should().Equal([existing]);
        fs.UsePercent().Should().Be(before);
        payload.Terminate();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        File.Exists(existing).Should().BeTrue("only the payload's own file is ever removed");
    }

    [PayloadFact("dd", "df", "stat", "mount", "umount")]
    public async Task Fill_WhereFallocateFails_WritesWithDd()
    {
        using var fs = new Tmpfs("64m");
        var shims = Directory.CreateTempSubdirectory("chaos-shim-").FullName;
        try
        {
            var fallocate = Path.Combine(shims, "fallocate");
            await File.WriteAllTextAsync(fallocate, "#!/bin/sh\necho 'fallocate: fallocate failed: Operation not supported' >&2\nexit 1\n");
            PayloadEnvironment.Run("chmod", "+x", fallocate);
            var script = new PayloadScript("filldd").AddDiskFill(new DiskFillSpec(fs.Path, 45));

            await using var payload = PayloadProcess.Start(["env", $"PATH={shims}:{Environment.GetEnvironmentVariable("PATH")}", .. script.Command(script.Render(LongHold))]);
            await payload.WaitInstalledAsync();

            var percent = fs.UsePercent();
            output.WriteLine($"target 45%, df says {percent:F2}% (dd)\n{payload.Output}");
            payload.Output.Should().Contain("writing zeros with dd");
            percent.Should().BeInRange(43, 45.05);
            Directory.GetFiles(fs.Path).Should().ContainSingle();
            payload.Terminate();
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
            Directory.GetFiles(fs.Path).Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(shims, recursive: true);
        }
    }

    [PayloadFact("fallocate", "df", "stat", "unshare", "nsenter", "mount")]
    public async Task Fill_ThroughProcRoot_FillsTheTargetsFilesystem_NotThePayloads()
    {
        // The "target container": a process in its own mount namespace, with a tmpfs only it sees at dir.
        var dir = Directory.CreateTempSubdirectory("chaos-target-").FullName;
        try
        {
            await using var target = PayloadProcess.Start(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs -o size=32m tmpfs \"$1\" && echo ready && exec sleep 300", "target", dir]);
            await Eventually.TrueAsync(() => Task.FromResult(target.Output.Contains("ready", StringComparison.Ordinal)), "the target's mount");
            var pid = target.Id.ToString(CultureInfo.InvariantCulture);
            double TargetUse() => DiskUse.Percent(PayloadEnvironment.Run("nsenter", "-t", pid, "-m", "df", "-P", "-B1", dir));

            var script = new PayloadScript("fillroot").AddDiskFill(new DiskFillSpec($"/proc/{pid}/root{dir}", 50));
            await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));
            await payload.WaitInstalledAsync();

            var percent = TargetUse();
            output.WriteLine($"target 50% through /proc/{pid}/root: the target's df says {percent:F2}%\n{payload.Output}");
            percent.Should().BeInRange(48, 50.05);
            Directory.GetFiles(dir).Should().BeEmpty("the payload's own view of the directory (its root filesystem) is untouched");

            payload.Terminate();
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
            TargetUse().Should().BeLessThan(1);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [PayloadFact("stat")]
    public async Task Fill_OfThePayloadsOwnRootFilesystem_IsRefused()
    {
        // Target 1%: were the guard broken, the root filesystem (surely above 1%) would get nothing anyway.
        var script = new PayloadScript("fillself").AddDiskFill(new DiskFillSpec("/", 1));

        await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
        payload.Output.Should().Contain("is on the payload container's own root filesystem").And.NotContain("chaos: installed");
        File.Exists("/" + DiskFillPayloads.FileName("fillself")).Should().BeFalse();
    }

    [Fact]
    public async Task Fill_OfAMissingDirectory_FailsAndSaysSo()
    {
        var script = new PayloadScript("fillnone").AddDiskFill(new DiskFillSpec("/nonexistent/chaos dir", 50));

        await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
        payload.Output.Should().Contain("chaos: /nonexistent/chaos dir is not a directory");
    }

    [Theory]
    [InlineData("relative/path", 50)]
    [InlineData("/data", 0)]
    [InlineData("/data", 100)]
    [InlineData("/da\nta", 50)]
    public void DiskFillSpec_Invalid_Throws(string path, int target) =>
        FluentActions.Invoking(() => new DiskFillSpec(path, target)).Should().Throw<ArgumentException>();
}
