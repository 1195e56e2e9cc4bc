using System.Globalization;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// Packet loss through the DSL on the process runtime (this kernel has no netem, so the payload drops with iptables
/// <c>statistic</c>), measured by the test process pinging the pod: the share of lost replies lies within a binomial bound
/// of the asked share during the hold, and is about none after recovery.
/// </summary>
public sealed partial class PacketLossEndToEndTests
{
    private const int Pings = 200;
    private const double Share = 0.3;

    [ProcessRuntimeFact]
    public async Task LosePackets_DropsTheAskedShare_AndIsGoneAfterRecovery()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var client = cluster.Client;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await CreateEchoAsync(client, "shop", "web");
        var ip = await PodIpAsync(client, "shop", "web", 8080);

        // Egress only (the default): a ping's reply leaves the pod once, so it is lost with the asked probability.
        var experiment = Experiment.On(Pods.In("shop").WithLabel("app", "web")).LosePackets(Share * 100).For(TimeSpan.FromSeconds(10))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });
        var run = await StartAndWaitInstalledAsync(client, "shop", "web", experiment);
        var tags = ChaosRuleTags(ip);
        var payloadLog = await EphemeralLogsAsync(client, "shop", "web");
        var during = await LostAsync(ip);
        var result = await run;
        var after = await LostAsync(ip);

        // Binomial bound: mean n·p ± 4.5 σ, σ = √(n·p·(1−p)); 200 pings at 30 %: 60 ± 29.
        var (low, high) = BinomialBound(Pings, Share);
        Console.WriteLine($"lost during {during}/{Pings} (bound {low}..{high}), after {after}/{Pings}; rules {string.Join(",", tags)}; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        during.Should().BeInRange(low, high, "the payload dropped {0:P0} of the pod's packets (a binomial bound)", Share);
        payloadLog.Should().Contain("via iptables statistic", "this kernel has no netem: the payload took its fallback");
        after.Should().BeLessThanOrEqualTo(4, "recovery removed the loss");
        ChaosRuleTags(ip).Should().BeEmpty("recovery removed the payload's rules");
        Qdiscs(ip).Should().NotContain("netem");
    }

    /// <summary>How many of <see cref="Pings"/> pings from the test process to the pod got no reply.</summary>
    private static Task<int> LostAsync(string ip) => Task.Run(() =>
    {
        var output = Run("ping", "-n", "-q", "-c", Pings.ToString(CultureInfo.InvariantCulture), "-i", "0.01", "-W", "2", ip);
        var match = Received().Match(output);
        match.Success.Should().BeTrue($"ping printed its summary: {output}");
        return Pings - int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    });

    [GeneratedRegex(@"(\d+) (?:packets )?received")]
    private static partial Regex Received();
}
