using System.Globalization;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// Packet corruption and duplication through the DSL on the process runtime. Both need netem: where the kernel has it,
/// the test process's pings to the pod measure the effect (a corrupted reply fails its checksum and is lost; a duplicated
/// one arrives twice, which ping counts as <c>DUP!</c>) and its end after recovery; where it lacks it (as on the machine
/// these tests were written on), the run fails with the payload's own words and leaves nothing behind.
/// </summary>
public sealed partial class NetemFailureEndToEndTests
{
    private const int Pings = 200;
    private const double Share = 0.3;

    [NetemFact("packet corruption", needsNetem: true)]
    public async Task CorruptPackets_LosesAboutTheShareOfReplies_AndIsGoneAfterRecovery()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var ip = await EchoAsync(cluster.Client);

        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", Corrupt());
        var (during, _) = await PingAsync(ip);
        var result = await run;
        var (after, _) = await PingAsync(ip);

        // A flipped bit fails the IP or ICMP checksum, or the destination MAC, and the reply is lost; one in the source
        // MAC (6 of the ~98 bytes) is not noticed: the lost share lies between 0.9 and 1 times the asked one.
        var (low, high) = (BinomialBound(Pings, Share * 0.9).Low, BinomialBound(Pings, Share).High);
        Console.WriteLine($"lost during {during}/{Pings} (bound {low}..{high}), after {after}/{Pings}; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        during.Should().BeInRange(low, high);
        after.Should().BeLessThanOrEqualTo(4, "recovery removed the corruption");
        Qdiscs(ip).Should().NotContain("netem");
    }

    [NetemFact("packet duplication", needsNetem: true)]
    public async Task DuplicatePackets_DuplicatesTheShareOfReplies_AndIsGoneAfterRecovery()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var ip = await EchoAsync(cluster.Client);

        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", Duplicate());
        var (_, during) = await PingAsync(ip);
        var result = await run;
        var (_, after) = await PingAsync(ip);

        var (low, high) = BinomialBound(Pings, Share);
        Console.WriteLine($"duplicates during {during}/{Pings} (bound {low}..{high}), after {after}/{Pings}; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        during.Should().BeInRange(low, high);
        after.Should().Be(0, "recovery removed the duplication");
        Qdiscs(ip).Should().NotContain("netem");
    }

    [NetemFact("packet corruption", needsNetem: false)]
    public Task CorruptPackets_WhereTheKernelHasNoNetem_FailsWithThePayloadsWords_AndLeavesNothing() =>
        FailsWithoutNetemAsync(Corrupt(), "tc qdisc replace dev eth0 root netem corrupt 30%");

    [NetemFact("packet duplication", needsNetem: false)]
    public Task DuplicatePackets_WhereTheKernelHasNoNetem_FailsWithThePayloadsWords_AndLeavesNothing() =>
        FailsWithoutNetemAsync(Duplicate(), "tc qdisc replace dev eth0 root netem duplicate 30%");

    private static async Task FailsWithoutNetemAsync(ChaosExperiment experiment, string step)
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var ip = await EchoAsync(cluster.Client);

        var result = await experiment.RunAsync(cluster.Client);

        Console.WriteLine($"{result.Verdict}: {result.FailureReason}");
        result.Verdict.Should().Be(ExperimentVerdict.Failed, result.ToReport());
        result.FailureReason.Should().Contain("the fault could not be injected")
            .And.Contain("Specified qdisc kind is unknown", "tc's own error, relayed from the payload's log")
            .And.Contain("chaos: install failed: " + step, "the payload names the step that failed");
        result.ToReport().Should().Contain("fault removed (verified)");
        Qdiscs(ip).Should().NotContain("netem");
        ChaosRuleTags(ip).Should().BeEmpty();
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("web", "shop");
        pod.Status.EphemeralContainerStatuses.Should().OnlyContain(s => s.State.Terminated != null, "no payload runs");
    }

    private static ChaosExperiment Corrupt() =>
        Experiment.On(Pods.In("shop").WithLabel("app", "web")).CorruptPackets(Share * 100).Held(6);

    private static ChaosExperiment Duplicate() =>
        Experiment.On(Pods.In("shop").WithLabel("app", "web")).DuplicatePackets(Share * 100).Held(6);

    private static async Task<string> EchoAsync(IKubernetes client)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await CreateEchoAsync(client, "shop", "web");
        return await PodIpAsync(client, "shop", "web", 8080);
    }

    /// <summary>Of <see cref="Pings"/> pings from the test process to the pod: how many got no reply, and how many replies came twice.</summary>
    private static Task<(int Lost, int Duplicates)> PingAsync(string ip) => Task.Run(() =>
    {
        var output = Run("ping", "-n", "-c", Pings.ToString(CultureInfo.InvariantCulture), "-i", "0.01", "-W", "2", ip);
        var match = Received().Match(output);
        match.Success.Should().BeTrue($"ping printed its summary: {output}");
        var duplicates = output.Split('\n').Count(l => l.Contains("(DUP!)", StringComparison.Ordinal));
        return (Pings - int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), duplicates);
    });

    [GeneratedRegex(@"(\d+) (?:packets )?received")]
    private static partial Regex Received();
}
