using Chaos.Testing.Tests.Payloads.Network;
using Chaos.Testing.Tests.Payloads.Stress;
using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads;

/// <summary>
/// Least privilege, for real: the generated scripts run under <c>setpriv</c> with exactly the capabilities their fault's
/// profile adds (as root whose bounding set is only those, like a container that drops ALL and adds them) and work;
/// without the one that matters they fail in their own words and leave nothing.
/// </summary>
public sealed class PayloadCapabilityTests
{
    public static TheoryData<string> NetworkFaults => ["network-partition", "bandwidth"];

    [PayloadTheory("ip", "iptables", "iptables-save", "tc", "ping", "setpriv")]
    [MemberData(nameof(NetworkFaults))]
    public async Task NetworkPayload_WithExactlyItsProfilesCapabilities_Installs_AndWithoutNetAdmin_FailsLeavingNothing(string fault)
    {
        var capabilities = Profile(fault).Capabilities;
        capabilities.Should().Equal("NET_ADMIN", "NET_RAW");
        using var pair = new NetnsPair();
        var before = NetTools.State(pair.Pod);

        var script = Script(fault, $"cap-{pair.Suffix}", pair);
        await using (var payload = PayloadProcess.Start(Confined(capabilities, script.Command(script.Render(TimeSpan.FromMinutes(1)))), netns: pair.Pod))
        {
            await payload.WaitInstalledAsync();
            NetTools.State(pair.Pod).Should().NotBe(before, $"{fault} installed its rules or qdiscs with {string.Join(" + ", capabilities)} only");
            payload.Terminate();
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        }

        NetTools.State(pair.Pod).Should().Be(before, "its own cleanup ran with the same capabilities");

        var without = Script(fault, $"nocap-{pair.Suffix}", pair);
        await using (var payload = PayloadProcess.Start(Confined(capabilities.Where(c => c != "NET_ADMIN"), without.Command(without.Render(TimeSpan.FromMinutes(1)))), netns: pair.Pod))
        {
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
            payload.Output.Should().Contain(PayloadProtocol.InstallFailedPrefix, "without NET_ADMIN the install fails and says which step");
        }

        NetTools.State(pair.Pod).Should().Be(before);
    }

    [PayloadFact("fallocate", "df", "stat", "mount", "umount", "setpriv", "chown")]
    public async Task DiskFill_InADirectoryTheTargetsUserOwns_NeedsItsDacOverride()
    {
        var capabilities = Profile("disk-fill").Capabilities;
        capabilities.Should().Equal("DAC_OVERRIDE", "SYS_PTRACE");
        using var fs = new Tmpfs("16m");
        var owned = Path.Combine(fs.Path, "app");
        Directory.CreateDirectory(owned);
        PayloadEnvironment.Run("chown", "1000:1000", owned);
        PayloadEnvironment.Run("chmod", "700", owned);

        var script = new PayloadScript("capfill").AddDiskFill(new DiskFillSpec(owned, 50));
        await using (var payload = PayloadProcess.Start(Confined(capabilities, script.Command(script.Render(TimeSpan.FromMinutes(1))))))
        {
            await payload.WaitInstalledAsync();
            fs.UsePercent().Should().BeGreaterThan(40, "root with DAC_OVERRIDE writes into a directory only uid 1000 may write");
            payload.Terminate();
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(0);
        }

        var without = new PayloadScript("nocapfill").AddDiskFill(new DiskFillSpec(owned, 50));
        await using (var payload = PayloadProcess.Start(Confined(capabilities.Where(c => c != "DAC_OVERRIDE"), without.Command(without.Render(TimeSpan.FromMinutes(1))))))
        {
            (await payload.WaitForExitAsync(TimeSpan.FromSeconds(15))).Should().Be(1, "root without DAC_OVERRIDE cannot write there");
            payload.Output.Should().Contain(PayloadProtocol.InstallFailedPrefix);
        }

        Directory.GetFiles(owned).Should().BeEmpty();
    }

    private static PayloadProfile Profile(string fault) => PodPayloadFault.ProfileOf(FaultCatalog.Find(fault)!)!;

    private static PayloadScript Script(string fault, string tag, NetnsPair pair) => fault == "bandwidth"
        ? new PayloadScript(tag).AddBandwidth(new BandwidthFaultSpec(new BandwidthLimit(1_000_000, 32 * 1024, TimeSpan.FromMilliseconds(50)), NetworkDirection.Both))
        : new PayloadScript(tag).AddPartition(new PartitionFaultSpec(new NetworkFilter([pair.PeerIp]), NetworkDirection.Both));

    /// <summary>The command run as root whose bounding set is <paramref name="capabilities"/> only: what a container that drops ALL and adds them gets.</summary>
    private static List<string> Confined(IEnumerable<string> capabilities, IList<string> command) =>
        ["setpriv", "--bounding-set", string.Join(',', new[] { "-all" }.Concat(capabilities.Select(c => "+" + c.ToLowerInvariant()))), "--inh-caps", "-all", .. command];
}
