using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// Network delay through the DSL on the process runtime. It needs netem: where the kernel has it, the test process's HTTP
/// requests to the pod (the time to the response's headers, on a kept-alive connection) and its pings take the added
/// latency during the hold and not after; where it lacks it (as on the machine these tests were written on), the run
/// fails with the payload's own words and leaves nothing behind.
/// </summary>
public sealed class NetworkDelayEndToEndTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

    [NetemFact("the delay", needsNetem: true)]
    public async Task DelayNetwork_AddsTheLatency_AndIsGoneAfterRecovery()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var ip = await EchoAsync(cluster.Client);

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
        var before = await FastestHttpAsync(http, ip);

        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", Delay());
        var during = await FastestHttpAsync(http, ip);
        var pingDuring = FastestPing(ip);
        var result = await run;
        var after = await FastestHttpAsync(http, ip);

        Console.WriteLine($"HTTP to the headers: before {before.TotalMilliseconds:F1} ms, during {during.TotalMilliseconds:F0} ms, after {after.TotalMilliseconds:F1} ms (fastest of 5); ping during {pingDuring.TotalMilliseconds:F0} ms; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        (during - before).Should().BeGreaterThanOrEqualTo(Latency * 0.9, "the pod's HTTP replies leave it delayed by the configured latency")
            .And.BeLessThan(Latency + TimeSpan.FromMilliseconds(250), "the headers are delayed once (250 ms for a loaded machine)");
        pingDuring.Should().BeGreaterThanOrEqualTo(Latency * 0.9, "the pod's echo replies leave it delayed");
        (after - before).Should().BeLessThan(Latency / 2, "recovery removed the delay");
        Qdiscs(ip).Should().NotContain("netem");
    }

    [NetemFact("the delay", needsNetem: false)]
    public async Task DelayNetwork_WhereTheKernelHasNoNetem_FailsWithThePayloadsWords_AndLeavesNothing()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var ip = await EchoAsync(cluster.Client);

        var result = await Delay().RunAsync(cluster.Client);

        Console.WriteLine($"{result.Verdict}: {result.FailureReason}");
        result.Verdict.Should().Be(ExperimentVerdict.Failed, result.ToReport());
        result.FailureReason.Should().Contain("the fault could not be injected")
            .And.Contain("Specified qdisc kind is unknown", "tc's own error, relayed from the payload's log")
            .And.Contain("chaos: install failed: tc qdisc replace dev eth0 root netem delay 300ms", "the payload names the step that failed");
        result.ToReport().Should().Contain("fault removed (verified)");
        Qdiscs(ip).Should().NotContain("netem");
        ChaosRuleTags(ip).Should().BeEmpty();
    }

    private static ChaosExperiment Delay() =>
        Experiment.On(Pods.In("shop").WithLabel("app", "web")).DelayNetwork(Latency).For(TimeSpan.FromSeconds(6))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });

    private static async Task<string> EchoAsync(IKubernetes client)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await CreateEchoAsync(client, "shop", "web");
        return await PodIpAsync(client, "shop", "web", 8080);
    }

    /// <summary>
    /// The shortest time to the response's headers of five HTTP requests on <paramref name="http"/>'s kept-alive connection
    /// (the least disturbed by the machine's load). The headers are the reply's first segment: the time to them takes one
    /// delay, whereas the whole response may take two (the echo server writes its body separately, and Nagle's algorithm
    /// holds it until the headers are acknowledged). The body is read, so the connection stays open for the next one.
    /// </summary>
    private static async Task<TimeSpan> FastestHttpAsync(HttpClient http, string ip)
    {
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri($"http://{ip}:8080/"), HttpCompletionOption.ResponseHeadersRead);
            var headers = watch.Elapsed;
            (await response.Content.ReadAsStringAsync()).Should().NotBeEmpty();
            fastest = headers < fastest ? headers : fastest;
        }

        return fastest;
    }

    /// <summary>The shortest round trip of five pings from the test process (the least disturbed by the machine's load).</summary>
    private static TimeSpan FastestPing(string ip)
    {
        var output = Run("ping", "-n", "-c", "5", "-i", "0.2", "-W", "3", ip);
        var times = output.Split('\n').Where(l => l.Contains("time=", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.IndexOf("time=", StringComparison.Ordinal) + 5)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        times.Should().NotBeEmpty($"ping got replies: {output}");
        return TimeSpan.FromMilliseconds(times.Min());
    }
}
