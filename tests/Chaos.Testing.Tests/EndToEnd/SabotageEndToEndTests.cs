using Chaos.Testing.Tests.Faults;
using Chaos.Testing.Tests.Support;
using Xunit.Sdk;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// The end-to-end effect tests would catch a payload that does nothing: each one listed here runs as written, but with
/// <see cref="PayloadScript.InstallsNothingForTests"/> on in its own async flow (tests running beside it are not
/// affected), so every payload prints <c>chaos: installed</c> and holds having installed nothing. Each must then fail
/// on its effect assertion, not on a timeout, a crash or an earlier check.
/// </summary>
/// <remarks>
/// One test per mechanism, to keep CI short (each takes its hold): tc (bandwidth), iptables (packet loss), an
/// in-pod proxy (HTTP chaos abort), stress-ng (CPU and memory stress), a fill file (disk fill), and the node payloads,
/// which run in pods of their own (node CPU stress, node disk fill). Partition, DNS chaos and HTTP chaos delay, run the
/// same way once, failed on their effect assertions too.
/// </remarks>
public sealed class SabotageEndToEndTests
{
    // Each effect assertion is recognised by its own "because" words: the subject's name in a FluentAssertions message
    // comes from reading the test's source, which a deterministic (CI) build maps away ("Expected value …").
    private static readonly Dictionary<string, (Func<Task> Body, string Because)> Effects = new(StringComparer.Ordinal)
    {
        ["tc: bandwidth"] = (new ProcessRuntimeEndToEndTests().Bandwidth_LimitsWhatTheServiceSends_AndIsGoneAfterRecovery, "because the payload limited what the pod sends"),
        ["iptables: packet loss"] = (new PacketLossEndToEndTests().LosePackets_DropsTheAskedShare_AndIsGoneAfterRecovery, "because the payload dropped"),
        ["proxy: HTTP chaos abort"] = (new HttpChaosEndToEndTests().HttpChaos_AbortsTheAskedShare_AndIsGoneAfterRecovery, "because the payload's proxy aborted"),
        ["stress-ng: CPU stress"] = (new StressEndToEndTests().StressCpu_LoadsThePodsCgroup_NotAQuietPods_AndRecoveryStopsIt, "because a stress-ng worker at 100% ran"),
        ["fill file: disk fill"] = (new DiskFillEndToEndTests().FillDisk_FillsTheContainersTmp_ToThePercent_AndRecoveryEmptiesIt, "because the payload filled the filesystem"),
        ["stress-ng: memory stress"] = (new StressEndToEndTests().StressMemory_HoldsTheBytesInThePodsCgroup_AndRecoveryReleasesThem, "because the workers' pages are charged"),
        ["node pod, stress-ng: node CPU stress"] = (new ProcessRuntimeNodeFaultTests().NodeCpuStress_LoadsTheNodesCgroup_AndRecoveryStopsIt, "because stress-ng ran in a pod of node-2"),
        ["node pod, fill file: node disk fill"] = (new ProcessRuntimeNodeFaultTests().NodeDiskFill_FillsTheNodesRoot_ToThePercent_AndRecoveryEmptiesIt, "because the payload filled the node's root"),
    };

    public static TheoryData<string> Names => [.. Effects.Keys];

    [ProcessRuntimeTheory]
    [MemberData(nameof(Names))]
    public async Task AnEffectTest_WhosePayloadInstallsNothing_FailsOnItsEffectAssertion(string name)
    {
        var (body, because) = Effects[name];

        PayloadScript.InstallsNothingForTests.Value = true;
        Exception? failure;
        try
        {
            failure = await Record.ExceptionAsync(body);
        }
        finally
        {
            PayloadScript.InstallsNothingForTests.Value = false;
        }

        Console.WriteLine($"{name}: {failure?.GetType().Name}: {failure?.Message}");
        failure.Should().BeAssignableTo<XunitException>("the test fails on an assertion, not a crash or a timeout: {0}", failure)
            .Which.Message.Should().StartWith("Expected ").And.Contain(because, "it is the effect assertion that fails");
    }
}
