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
/// in-pod proxy (HTTP chaos abort): 36 s together, against 68 s for all six effect tests of this folder (partition,
/// DNS chaos and HTTP chaos delay, run the same way once, failed on their effect assertions too). The stress-ng and
/// fill-file effect tests belong here as one row each.
/// </remarks>
public sealed class SabotageEndToEndTests
{
    private static readonly Dictionary<string, (Func<Task> Body, string Subject)> Effects = new(StringComparer.Ordinal)
    {
        ["tc: bandwidth"] = (new ProcessRuntimeEndToEndTests().Bandwidth_LimitsWhatTheServiceSends_AndIsGoneAfterRecovery, "during"),
        ["iptables: packet loss"] = (new PacketLossEndToEndTests().LosePackets_DropsTheAskedShare_AndIsGoneAfterRecovery, "during"),
        ["proxy: HTTP chaos abort"] = (new HttpChaosEndToEndTests().HttpChaos_AbortsTheAskedShare_AndIsGoneAfterRecovery, "during"),
    };

    public static TheoryData<string> Names => [.. Effects.Keys];

    [ProcessRuntimeTheory]
    [MemberData(nameof(Names))]
    public async Task AnEffectTest_WhosePayloadInstallsNothing_FailsOnItsEffectAssertion(string name)
    {
        var (body, subject) = Effects[name];

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
            .Which.Message.Should().StartWith($"Expected {subject}", "it is the effect assertion that fails");
    }
}
