using System.Diagnostics;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;
using static Chaos.Testing.Tests.EndToEnd.EndToEndCluster;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// The whole chain — engine → API → kubelet → payload → effect on the service — on the emulator's process runtime,
/// through the public DSL; the effect is measured from outside the payload (here, by the test process downloading
/// from the pod), so a payload that installs nothing fails the test.
/// </summary>
public sealed class ProcessRuntimeEndToEndTests
{
    [ProcessRuntimeFact]
    public async Task Bandwidth_LimitsWhatTheServiceSends_AndIsGoneAfterRecovery()
    {
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.Runtime = PodRuntime.Processes);
        var client = cluster.Client;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "blob", Labels = new Dictionary<string, string> { ["app"] = "blob" } },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "main",
                        Image = "busybox:1.36",
                        Command = ["python3", "-c", Server],
                    },
                ],
            },
        }, "shop");
        var ip = await PodIpAsync(client, "shop", "blob", 8080);

        var before = await ThroughputAsync(ip);
        var experiment = Experiment.On(Pods.In("shop").WithLabel("app", "blob")).LimitBandwidth(4_000_000).For(TimeSpan.FromSeconds(8))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });
        var run = await StartAndWaitInstalledAsync(client, "shop", "blob", experiment);
        var during = await ThroughputAsync(ip);
        var result = await run;
        var after = await ThroughputAsync(ip);

        Console.WriteLine($"before {before / 1e6:F1} Mbit/s, during {during / 1e6:F2} Mbit/s, after {after / 1e6:F1} Mbit/s; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        during.Should().BeInRange(4_000_000 * 0.8, 4_000_000 * 1.2, "the payload limited what the pod sends to 4 Mbit/s (±20%)");
        after.Should().BeGreaterThan(4_000_000 * 3);
        Qdiscs(ip).Should().NotContain("tbf", "recovery removed the payload's qdisc from the pod's interface");
    }

    private const string Server = """
        import http.server
        blob = b"x" * (2 * 1024 * 1024)
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.send_header("Content-Length", str(len(blob))); self.end_headers(); self.wfile.write(blob)
        http.server.ThreadingHTTPServer(("", 8080), H).serve_forever()
        """;

    private static async Task<double> ThroughputAsync(string ip)
    {
        var watch = Stopwatch.StartNew();
        var bytes = await Http.GetByteArrayAsync($"http://{ip}:8080/");
        return bytes.Length * 8 / watch.Elapsed.TotalSeconds;
    }
}
