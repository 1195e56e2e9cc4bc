using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.Stress;

/// <summary>CPU and memory stress payloads, run for real with the host's sh and stress-ng; CPU time and RSS read from /proc.</summary>
[Collection(StressMeasurements.Name)]
public sealed class StressPayloadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LongHold = TimeSpan.FromMinutes(2);

    /// <summary>Gets <c>chrt -f 10</c> where real-time scheduling is allowed (root with SYS_NICE), else nothing.</summary>
    private static readonly string[] RealTime = CanRunRealTime() ? ["chrt", "-f", "10"] : [];

    [PayloadTheory("stress-ng", "pgrep", "pkill")]
    [InlineData(1, 50)]
    [InlineData(1, 100)]
    [InlineData(2, 30)]
    public async Task CpuStress_LoadsTheCpusAsRequested(int workers, int load)
    {
        var script = new PayloadScript($"cpu{workers}x{load}").AddCpuStress(new CpuStressSpec(workers, load), LongHold);
        var seen = new HashSet<int>();
        try
        {
            // Under SCHED_FIFO (inherited by stress-ng) the test measures stress-ng's own duty cycle, not the CPU a busy
            // machine leaves it: with 30 runnable tasks on 2 cores, a worker at 100% got a quarter of a CPU, even at
            // nice -20. Real-time throttling (95% by default) caps a 100% worker at about 95%.
            await using var payload = PayloadProcess.Start([.. RealTime, .. script.Command(script.Render(LongHold))]);
            await payload.WaitInstalledAsync();
            await Task.Delay(500);   // past stress-ng's start-up
            var stressNg = Procs.StressNgUnder(payload.Id);
            seen.UnionWith(stressNg.Select(p => p.Pid));
            Procs.Tagged(script.Tag).Select(p => p.Pid).Should().BeEquivalentTo(seen, "every stress-ng process, workers included, carries the tag");

            var percent = await Procs.CpuPercentAsync(seen, TimeSpan.FromSeconds(2.5));
            output.WriteLine($"{workers} worker(s) at {load}%: {percent:F1}% of one CPU ({percent / workers:F1}% each), requested {workers * load}%{(RealTime.Length == 0 ? " (no real-time scheduling here)" : string.Empty)}");

            // The upper bound proves the load limit; the lower one allows for a shared 2-core CI machine (other test
            // assemblies run at the same time) and the kernel's real-time cap of 95%: a worker gets at least 60% of its ask.
            var requested = workers * load;
            percent.Should().BeInRange(Math.Min(requested - (15 * workers), requested * 0.6), requested + (15 * workers));
            payload.Terminate();
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
            Procs.StillAlive(seen).Should().BeEmpty("the TERM trap kills every stressor");
        }
        finally
        {
            Procs.KillAll(seen);
            Procs.KillTagged(script.Tag);
        }
    }

    [PayloadFact("stress-ng", "pgrep", "pkill")]
    public async Task MemoryStress_HoldsTheRequestedBytes_SharedByTheWorkers()
    {
        const long Requested = 96L * 1024 * 1024;
        var script = new PayloadScript("mem96").AddMemoryStress(MemoryStressSpec.OfBytes(Requested, workers: 2), LongHold);
        await AssertHoldsMemoryAsync(script, Requested);
    }

    [PayloadFact("stress-ng", "pgrep", "pkill")]
    public async Task MemoryStress_Percent_IsOfMemTotal()
    {
        var memTotalKb = long.Parse(
            File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            System.Globalization.CultureInfo.InvariantCulture);
        var script = new PayloadScript("mem1pc").AddMemoryStress(MemoryStressSpec.OfPercent(1), LongHold);
        await AssertHoldsMemoryAsync(script, memTotalKb * 1024 / 100);
    }

    [PayloadFact("stress-ng", "pgrep", "pkill")]
    public async Task Stress_EndsWithTheHold_AndLeavesNoStressor()
    {
        var hold = TimeSpan.FromSeconds(2);
        var script = new PayloadScript("cpuend").AddCpuStress(new CpuStressSpec(2, 20), hold).AddMemoryStress(MemoryStressSpec.OfBytes(16 * 1024 * 1024), hold);
        var seen = new HashSet<int>();
        try
        {
            await using var payload = PayloadProcess.Start(script.Command(script.Render(hold)));
            await payload.WaitInstalledAsync();
            seen.UnionWith(Procs.StressNgUnder(payload.Id).Select(p => p.Pid));
            seen.Should().HaveCountGreaterThanOrEqualTo(5, "a parent, two CPU workers, a vm worker and its child");

            // The shell's end, not the end of its output (which an orphaned stress-ng would keep open until its --timeout).
            await Eventually.TrueAsync(() => Task.FromResult(Procs.Read(payload.Id) is not { Alive: true }), "the payload's shell to end", TimeSpan.FromSeconds(15));
            Procs.StillAlive(seen).Should().BeEmpty("the EXIT trap kills the stressors when the hold ends (stress-ng's own --timeout is 5 s later)");
            Procs.Tagged(script.Tag).Should().BeEmpty();
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        }
        finally
        {
            Procs.KillAll(seen);
        }
    }

    [PayloadFact("stress-ng", "pgrep", "pkill")]
    public async Task Term_KillsEveryStressorOfThePayload_AndOnlyThose()
    {
        var script = new PayloadScript("term").AddCpuStress(new CpuStressSpec(1, 10), LongHold).AddMemoryStress(MemoryStressSpec.OfBytes(8 * 1024 * 1024), LongHold);
        var other = new PayloadScript("term-1").AddCpuStress(new CpuStressSpec(1, 10), LongHold);   // a longer tag with the same prefix
        var seen = new HashSet<int>();
        var others = new HashSet<int>();
        try
        {
            await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));
            await using var bystander = PayloadProcess.Start(other.Command(other.Render(LongHold)));
            await payload.WaitInstalledAsync();
            await bystander.WaitInstalledAsync();
            seen.UnionWith(Procs.StressNgUnder(payload.Id).Select(p => p.Pid));
            others.UnionWith(Procs.StressNgUnder(bystander.Id).Select(p => p.Pid));
            seen.Should().HaveCountGreaterThanOrEqualTo(4);

            payload.Terminate();

            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
            Procs.StillAlive(seen).Should().BeEmpty();
            Procs.StillAlive(others).Should().HaveCount(others.Count, "the stressors of tag term-1 are not those of tag term");
            bystander.Terminate();
            (await bystander.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
            Procs.StillAlive(others).Should().BeEmpty();
        }
        finally
        {
            Procs.KillAll(seen);
            Procs.KillAll(others);
            Procs.KillTagged(script.Tag);
            Procs.KillTagged(other.Tag);
        }
    }

    [PayloadFact("stress-ng", "pgrep", "pkill")]
    public async Task EarlyRecovery_AfterThePayloadWasKilledHard_KillsTheOrphanedStressors()
    {
        var script = new PayloadScript("orphans").AddCpuStress(new CpuStressSpec(1, 10), LongHold).AddMemoryStress(MemoryStressSpec.OfBytes(8 * 1024 * 1024), LongHold);
        var other = new PayloadScript("bystander").AddCpuStress(new CpuStressSpec(1, 10), LongHold);
        var seen = new HashSet<int>();
        var others = new HashSet<int>();
        try
        {
            await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));
            await using var bystander = PayloadProcess.Start(other.Command(other.Render(LongHold)));
            await payload.WaitInstalledAsync();
            await bystander.WaitInstalledAsync();
            seen.UnionWith(Procs.StressNgUnder(payload.Id).Select(p => p.Pid));
            others.UnionWith(Procs.StressNgUnder(bystander.Id).Select(p => p.Pid));

            payload.Signal("KILL");
            await Eventually.TrueAsync(() => Task.FromResult(Procs.Read(payload.Id) is not { Alive: true }), "the payload to die");
            await Task.Delay(300);
            Procs.StillAlive(seen).Should().HaveCount(seen.Count, "SIGKILL gives the payload no chance to clean up: its stressors are orphaned");

            await using (var cleanup = PayloadProcess.Start(["sh", "-c", script.RenderCleanup(), "cleanup"]))
            {
                (await cleanup.WaitForExitAsync()).Should().Be(0);
                cleanup.Output.Should().Contain("chaos: cleaned up");
            }

            Procs.StillAlive(seen).Should().BeEmpty("the early-recovery script finds the stressors by their tag");
            Procs.StillAlive(others).Should().HaveCount(others.Count, "the stressors of another payload are left alone");
            bystander.Terminate();
            (await bystander.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        }
        finally
        {
            Procs.KillAll(seen);
            Procs.KillAll(others);
            Procs.KillTagged(script.Tag);
            Procs.KillTagged(other.Tag);
        }
    }

    [PayloadFact("stress-ng")]
    public async Task Install_WhenStressNgFailsAtOnce_FailsAndSaysSo()
    {
        var shims = Directory.CreateTempSubdirectory("chaos-shim-").FullName;
        try
        {
            var fake = Path.Combine(shims, "stress-ng");
            await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 'stress-ng: error: invalid option' >&2\nexit 1\n");
            PayloadEnvironment.Run("chmod", "+x", fake);
            var script = new PayloadScript("badstress").AddCpuStress(new CpuStressSpec(1, 50), LongHold);

            await using var payload = PayloadProcess.Start(["env", $"PATH={shims}:{Environment.GetEnvironmentVariable("PATH")}", .. script.Command(script.Render(LongHold))]);

            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
            payload.Output.Should().Contain("chaos: stress-ng is not running").And.NotContain("chaos: installed");
            Directory.Exists(StressPayloads.TagDirectory("badstress")).Should().BeFalse("the failed install still cleans up");
        }
        finally
        {
            Directory.Delete(shims, recursive: true);
        }
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 0)]
    [InlineData(1, 101)]
    public void CpuStressSpec_OutOfRange_Throws(int workers, int load) =>
        FluentActions.Invoking(() => new CpuStressSpec(workers, load)).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void MemoryStressSpec_OutOfRange_Throws()
    {
        FluentActions.Invoking(() => MemoryStressSpec.OfBytes(4096)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => MemoryStressSpec.OfPercent(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => MemoryStressSpec.OfPercent(101)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => MemoryStressSpec.OfBytes(1 << 30, workers: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void StressNg_IsBoundedByTheHoldPlusGrace()
    {
        var script = new PayloadScript("bounded").AddCpuStress(new CpuStressSpec(1, 50), TimeSpan.FromSeconds(29.5));
        script.Render(TimeSpan.FromSeconds(29.5)).Should().Contain("--timeout 35s");
    }

    private static bool CanRunRealTime()
    {
        try
        {
            PayloadEnvironment.Run("chrt", "-f", "10", "true");
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private async Task AssertHoldsMemoryAsync(PayloadScript script, long requested)
    {
        var seen = new HashSet<int>();
        try
        {
            await using var payload = PayloadProcess.Start(script.Command(script.Render(LongHold)));
            await payload.WaitInstalledAsync();

            // The workers touch their share page by page; on a loaded machine that takes a while, so poll (up to 30 s)
            // until they hold it rather than measuring once after a fixed pause. A payload that holds nothing never gets there.
            var lower = (long)(requested * 0.95);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            List<(int Pid, long RssAnonKb)> stressNg;
            long rss;
            do
            {
                await Task.Delay(200);
                stressNg = Procs.StressNgUnder(payload.Id).Select(p => (p.Pid, p.RssAnonKb)).ToList();
                seen.UnionWith(stressNg.Select(p => p.Pid));
                rss = stressNg.Sum(p => p.RssAnonKb) * 1024L;
            }
            while (rss < lower && DateTime.UtcNow < deadline);
            output.WriteLine($"requested {requested / 1048576.0:F1} MiB, anonymous RSS of {stressNg.Count} stress-ng processes {rss / 1048576.0:F1} MiB ({string.Join(", ", stressNg.Select(p => $"{p.Pid}: {p.RssAnonKb / 1024.0:F1}"))})");

            // The workers hold the size; stress-ng's parent and the workers' own heaps add a few MiB.
            rss.Should().BeInRange(lower, requested + (24L * 1024 * 1024));
            payload.Terminate();
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
            Procs.StillAlive(seen).Should().BeEmpty();
        }
        finally
        {
            Procs.KillAll(seen);
            Procs.KillTagged(script.Tag);
        }
    }
}
