using System.Diagnostics;
using System.Net;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// HTTP chaos through the DSL on the process runtime, seen by a client of the server's Service (the test process, through
/// the Service's ClusterIP, which the runtime leads to the pod as kube-proxy's iptables mode does): the share of aborted
/// requests, and the delay added to matching requests, during the hold; neither after recovery.
/// </summary>
public sealed class HttpChaosEndToEndTests
{
    private const int Requests = 100;
    private const double Share = 0.4;

    [ProcessRuntimeFact]
    public async Task HttpChaos_AbortsTheAskedShare_AndIsGoneAfterRecovery()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var (ip, service) = await EchoAsync(cluster.Client);

        var experiment = Experiment.On(Pods.In("shop").WithLabel("app", "web"))
            .HttpChaos(8080, o => { o.Percent = Share * 100; o.AbortStatus = 503; })
            .For(TimeSpan.FromSeconds(10))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });
        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", experiment);
        var tags = ChaosRuleTags(ip);
        var during = await AbortedAsync(service);
        var result = await run;
        var after = await AbortedAsync(service);

        // Binomial bound: n·p ± 4.5 σ; 100 requests at 40 %: 40 ± 22.
        var (low, high) = BinomialBound(Requests, Share);
        Console.WriteLine($"aborted during {during}/{Requests} (bound {low}..{high}), after {after}/{Requests}; rules {string.Join(",", tags)}; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        during.Should().BeInRange(low, high, "the payload's proxy aborted {0:P0} of the requests (a binomial bound)", Share);
        after.Should().Be(0, "recovery removed the proxy's redirection");
        ChaosRuleTags(ip).Should().BeEmpty("recovery removed the payload's rules");
    }

    [ProcessRuntimeFact]
    public async Task HttpChaos_DelaysTheMatchingPath_AndIsGoneAfterRecovery()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var (ip, service) = await EchoAsync(cluster.Client);
        var delay = TimeSpan.FromSeconds(2);

        var experiment = Experiment.On(Pods.In("shop").WithLabel("app", "web"))
            .HttpChaos(8080, o => { o.Delay = delay; o.PathPrefix = "/slow"; })
            .For(TimeSpan.FromSeconds(12))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });
        var run = await StartAndWaitInstalledAsync(cluster.Client, "shop", "web", experiment);
        var tags = ChaosRuleTags(ip);
        var slow = await FastestAsync(service, "/slow");
        var other = await FastestAsync(service, "/");
        var result = await run;
        var after = await FastestAsync(service, "/slow");

        Console.WriteLine($"/slow during {slow.TotalMilliseconds:F0} ms (fastest of 3), / during {other.TotalMilliseconds:F0} ms, /slow after {after.TotalMilliseconds:F0} ms; rules {string.Join(",", tags)}; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        slow.Should().BeGreaterThanOrEqualTo(delay * 0.95, "every /slow request is delayed");
        other.Should().BeLessThan(delay, "other paths are not delayed");
        after.Should().BeLessThan(delay / 2, "recovery removed the delay");
        ChaosRuleTags(ip).Should().BeEmpty("recovery removed the payload's rules");
    }

    /// <summary>The echo pod shop/web and its Service, port 8080 both; returns the pod's IP and the Service's ClusterIP, once it answers.</summary>
    private static async Task<(string Pod, string Service)> EchoAsync(IKubernetes client)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await CreateEchoAsync(client, "shop", "web");
        var service = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 8080, TargetPort = 8080 }] },
        }, "shop");
        var ip = await PodIpAsync(client, "shop", "web", 8080);
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var response = await Http.GetAsync(new Uri($"http://{service.Spec.ClusterIP}:8080/"));
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false; // no ready endpoint yet: the Service refuses
                }
            },
            "the Service shop/web to answer", TimeSpan.FromSeconds(60));
        return (ip, service.Spec.ClusterIP);
    }

    /// <summary>How many of <see cref="Requests"/> requests from the test process to <paramref name="ip"/> were answered 503.</summary>
    private static async Task<int> AbortedAsync(string ip)
    {
        var aborted = 0;
        for (var i = 0; i < Requests; i++)
        {
            using var response = await Http.GetAsync(new Uri($"http://{ip}:8080/"));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                aborted++;
            }
            else
            {
                response.StatusCode.Should().Be(HttpStatusCode.OK);
            }
        }

        return aborted;
    }

    /// <summary>The shortest of three requests' times (the least disturbed by the machine's load).</summary>
    private static async Task<TimeSpan> FastestAsync(string ip, string path)
    {
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await Http.GetAsync(new Uri($"http://{ip}:8080{path}"));
            fastest = watch.Elapsed < fastest ? watch.Elapsed : fastest;
        }

        return fastest;
    }
}
