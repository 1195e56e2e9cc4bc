using System.Diagnostics;
using Chaos.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>
/// Issue 13, part 2, for real: a payload in the target's PID namespace dies, trap and all, with the target's first
/// process; a payload in its own PID namespace (as a pod payload that does not set <c>targetContainerName</c>) outlives
/// it, stops once the tag cleanup deleted its marker rule, and never removes another experiment's state.
/// Every process runs as in a pod: in the "pod" network namespace, each in a PID namespace of its own
/// (<c>unshare --pid --fork --mount-proc</c>), so the cleanup sees no payload process, as a cleanup container would not.
/// </summary>
public sealed class PidNamespaceTests(ITestOutputHelper output)
{
    private static readonly BandwidthLimit Bucket = new(8_000_000, 32 * 1024, TimeSpan.FromMilliseconds(50));

    [PayloadFact("ip", "tc", "iptables", "unshare", "pgrep")]
    public async Task SharedPidNamespace_TargetInitExits_PayloadIsKilledAndItsQdiscStays()
    {
        using var pair = new NetnsPair();
        var tag = $"s{pair.Suffix.Replace("x", "0", StringComparison.Ordinal)}";
        var script = new PayloadScript(tag).AddBandwidth(new BandwidthFaultSpec(Bucket, NetworkDirection.Both));
        var before = NetTools.State(pair.Pod);

        // The target's init starts the payload in its PID namespace (targetContainerName), then is the target's process.
        await using var target = PayloadProcess.Start(
            ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", "sh -c \"$1\" \"$2\" & exec sleep 600", "target", script.Render(TimeSpan.FromMinutes(5)), script.ProcessName],
            netns: pair.Pod);
        await target.WaitInstalledAsync();
        Pgrep(PayloadScript.ProcessPattern(tag)).Should().NotBeEmpty();

        PayloadEnvironment.Run("kill", "-KILL", InitOf(target));
        await target.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Pgrep(PayloadScript.ProcessPattern(tag)).Should().BeEmpty("the kernel kills every process of a PID namespace whose init exits");
        var after = NetTools.State(pair.Pod);
        after.Should().NotBe(before, "the payload's trap never ran").And.Contain("tbf").And.Contain(NetworkPayloads.IfbDevice(tag));
    }

    [PayloadFact("ip", "tc", "iptables", "iptables-save", "unshare", "pgrep", "python3")]
    public async Task OwnPidNamespace_TargetDies_PayloadHolds_AndEndsLeavingNothingOnceTheTagCleanupRemovedItsMarker()
    {
        using var pair = new NetnsPair();
        var tag = $"o{pair.Suffix.Replace("x", "0", StringComparison.Ordinal)}";
        var script = new PayloadScript(tag)
            .StartHelper("pidhelper", "import time\nready()\ntime.sleep(600)\n")
            .AddBandwidth(new BandwidthFaultSpec(Bucket, NetworkDirection.Both))
            .StopWhenUnmarked();
        var before = NetTools.State(pair.Pod);

        await using var target = PayloadProcess.Start(["unshare", "--pid", "--fork", "--mount-proc", "sleep", "600"], netns: pair.Pod);
        await using var payload = InOwnPidNamespace(script.Command(script.Render(TimeSpan.FromMinutes(5))), pair);
        await payload.WaitInstalledAsync();
        var installed = NetTools.State(pair.Pod);
        installed.Should().Contain($"-A INPUT -m comment --comment chaos-{tag}").And.Contain(NetworkPayloads.IfbDevice(tag));

        PayloadEnvironment.Run("kill", "-KILL", InitOf(target));
        await target.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(2));
        payload.ExitCode.Should().BeNull("the payload is in a PID namespace of its own");
        NetTools.State(pair.Pod).Should().Be(installed);

        await using (var cleanup = InOwnPidNamespace(["sh", "-c", PayloadCleanup.Render(tag, new PayloadCleanupTargets("eth0", SeesPayload: false)), "chaos-cleanup"], pair))
        {
            (await cleanup.WaitForExitAsync()).Should().Be(0, cleanup.Output);
        }

        var clock = Stopwatch.StartNew();
        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0, payload.Output);
        output.WriteLine($"the payload ended {clock.ElapsedMilliseconds} ms after the tag cleanup removed its marker");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "it checks its marker every second");
        payload.Output.Should().Contain($"chaos: marker chaos-{tag} is gone: stopping without removing anything");
        Pgrep(PayloadProxy.ProcessPattern("pidhelper", tag)).Should().BeEmpty("the payload's helper ends with it");
        NetTools.State(pair.Pod).Should().Be(before);
    }

    [PayloadFact("ip", "tc", "iptables", "unshare")]
    public async Task OwnPidNamespace_HoldEnds_ThePayloadRemovesItsFaultAndMarkerItself()
    {
        using var pair = new NetnsPair();
        var tag = $"h{pair.Suffix.Replace("x", "0", StringComparison.Ordinal)}";
        var script = new PayloadScript(tag).AddBandwidth(new BandwidthFaultSpec(Bucket, NetworkDirection.Both)).StopWhenUnmarked();
        var before = NetTools.State(pair.Pod);

        await using var payload = InOwnPidNamespace(script.Command(script.Render(TimeSpan.FromSeconds(3))), pair);
        await payload.WaitInstalledAsync();
        NetTools.State(pair.Pod).Should().NotBe(before);

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(20))).Should().Be(0, payload.Output);
        payload.Output.Should().NotContain("is gone");
        NetTools.State(pair.Pod).Should().Be(before);
    }

    /// <summary>
    /// The danger the marker check prevents: the first payload, stopped (SIGSTOP) while the tag cleanup removes its fault
    /// and a second experiment installs its own root qdisc, resumes past its hold's end; its trap must not run
    /// <c>tc qdisc del dev eth0 root</c> (which would remove the second experiment's tbf) nor touch the second's rules.
    /// </summary>
    [PayloadFact("ip", "tc", "iptables", "iptables-save", "unshare", "pgrep")]
    public async Task MarkerRemoved_AnotherExperimentInstalledMeanwhile_TheFirstPayloadEndsWithoutTouchingIt()
    {
        using var pair = new NetnsPair();
        var first = $"a{pair.Suffix.Replace("x", "0", StringComparison.Ordinal)}";
        var second = $"b{pair.Suffix.Replace("x", "0", StringComparison.Ordinal)}";
        PayloadScript Script(string tag) => new PayloadScript(tag)
            .AddBandwidth(new BandwidthFaultSpec(Bucket, NetworkDirection.Egress))
            .AddPartition(new PartitionFaultSpec(new NetworkFilter(["192.0.2.0/24"], []), NetworkDirection.Both))
            .StopWhenUnmarked();
        var a = Script(first);
        var b = Script(second);

        await using var payloadA = InOwnPidNamespace(a.Command(a.Render(TimeSpan.FromSeconds(3))), pair);
        await payloadA.WaitInstalledAsync();
        var shells = Pgrep(PayloadScript.ProcessPattern(first));
        shells.Should().NotBeEmpty();
        foreach (var pid in shells)
        {
            PayloadEnvironment.Run("kill", "-STOP", pid);
        }

        await using (var cleanup = InOwnPidNamespace(["sh", "-c", PayloadCleanup.Render(first, new PayloadCleanupTargets("eth0", SeesPayload: false)), "chaos-cleanup"], pair))
        {
            (await cleanup.WaitForExitAsync()).Should().Be(0, cleanup.Output);
        }

        await using var payloadB = InOwnPidNamespace(b.Command(b.Render(TimeSpan.FromMinutes(5))), pair);
        await payloadB.WaitInstalledAsync();
        var secondOnly = NetTools.State(pair.Pod);
        secondOnly.Should().Contain("tbf").And.Contain($"--comment chaos-{second}").And.NotContain($"chaos-{first}");

        await Task.Delay(TimeSpan.FromSeconds(4));   // the first payload's hold is over while it is stopped
        foreach (var pid in shells)
        {
            try
            {
                PayloadEnvironment.Run("kill", "-CONT", pid);
            }
            catch (InvalidOperationException) when (!Directory.Exists($"/proc/{pid}"))
            {
                // A short-lived subshell of the payload (a command substitution) that pgrep saw has ended meanwhile.
            }
        }

        (await payloadA.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0, payloadA.Output);
        NetTools.State(pair.Pod).Should().Be(secondOnly, "the first payload removed nothing of the second experiment");
        payloadA.Output.Should().Contain($"chaos: marker chaos-{first} is gone");
        payloadB.ExitCode.Should().BeNull();
    }

    /// <summary>Runs <paramref name="command"/> in the pod's network namespace and a PID namespace of its own, as a container without <c>targetContainerName</c>.</summary>
    private static PayloadProcess InOwnPidNamespace(IList<string> command, NetnsPair pair) =>
        PayloadProcess.Start(["unshare", "--pid", "--fork", "--mount-proc", .. command], netns: pair.Pod);

    /// <summary>The host pid of the init of the PID namespace <c>unshare --fork</c> (<paramref name="unshare"/>) created.</summary>
    private static string InitOf(PayloadProcess unshare) => PayloadEnvironment.Run("pgrep", "-P", unshare.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Trim();

    private static List<string> Pgrep(string pattern)
    {
        var (_, found) = NetTools.RunAnyExit(null, "pgrep", "-f", pattern);
        return [.. found.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
