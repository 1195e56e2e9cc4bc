using System.Diagnostics;
using Chaos.Testing.Emulator;
using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// The whole chain — engine → API → kubelet → payload → effect on the service — on the emulator's process runtime,
/// through the public DSL; the effect is measured from outside the payload (here, by the test process downloading
/// from the pod), so a payload that installs nothing fails the test.
/// </summary>
public sealed class ProcessRuntimeEndToEndTests
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(60) };

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
        var ip = await PodIpAsync(client);

        var before = await ThroughputAsync(ip);
        var run = Experiment.On(Pods.In("shop").WithLabel("app", "blob")).LimitBandwidth(4_000_000).For(TimeSpan.FromSeconds(8))
            .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; }).RunAsync(client);
        await Task.WhenAny(run, UntilInstalledAsync(client));
        if (run.IsCompleted)
        {
            throw new InvalidOperationException((await run).ToReport());
        }

        await UntilInstalledAsync(client);
        var during = await ThroughputAsync(ip);
        var result = await run;
        var after = await ThroughputAsync(ip);

        Console.WriteLine($"before {before / 1e6:F1} Mbit/s, during {during / 1e6:F2} Mbit/s, after {after / 1e6:F1} Mbit/s; {result.Verdict}");
        result.Verdict.Should().Be(ExperimentVerdict.Passed, result.ToReport());
        during.Should().BeInRange(4_000_000 * 0.8, 4_000_000 * 1.2);
        after.Should().BeGreaterThan(4_000_000 * 3);
        Qdiscs(ip).Should().NotContain("tbf", "recovery removed the payload's qdisc from the pod's interface");
    }

    /// <summary>The qdiscs of the pod's eth0, read from the host in the pod's network namespace (found by its IP).</summary>
    private static string Qdiscs(string podIp)
    {
        foreach (var line in Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var netns = line.Split(' ')[0];
            if (Run("ip", "-n", netns, "-4", "-o", "addr").Contains($" {podIp}/", StringComparison.Ordinal))
            {
                return Run("tc", "-n", netns, "qdisc", "show", "dev", "eth0");
            }
        }

        throw new InvalidOperationException($"no network namespace has {podIp}");
    }

    private static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private const string Server = """
        import http.server
        blob = b"x" * (2 * 1024 * 1024)
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.send_header("Content-Length", str(len(blob))); self.end_headers(); self.wfile.write(blob)
        http.server.ThreadingHTTPServer(("", 8080), H).serve_forever()
        """;

    private static async Task<string> PodIpAsync(IKubernetes client)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync("blob", "shop");
            if (pod.Status?.PodIP is { } ip)
            {
                try
                {
                    await Http.GetByteArrayAsync($"http://{ip}:8080/");
                    return ip;
                }
                catch (HttpRequestException)
                {
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the server pod did not answer");
    }

    private static async Task UntilInstalledAsync(IKubernetes client)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync("blob", "shop");
            foreach (var status in pod.Status?.EphemeralContainerStatuses ?? [])
            {
                if (status.State?.Running is not null)
                {
                    using var log = await client.CoreV1.ReadNamespacedPodLogAsync("blob", "shop", container: status.Name);
                    if ((await new StreamReader(log).ReadToEndAsync()).Contains(PayloadProtocol.InstalledMarker, StringComparison.Ordinal))
                    {
                        return;
                    }
                }
            }

            await Task.Delay(100);
        }

        var last = await client.CoreV1.ReadNamespacedPodAsync("blob", "shop");
        var text = new System.Text.StringBuilder();
        foreach (var status in last.Status?.EphemeralContainerStatuses ?? [])
        {
            text.Append($"{status.Name}: {k8s.KubernetesJson.Serialize(status.State)}; log: ");
            try
            {
                using var log = await client.CoreV1.ReadNamespacedPodLogAsync("blob", "shop", container: status.Name);
                text.Append(await new StreamReader(log).ReadToEndAsync());
            }
            catch (k8s.Autorest.HttpOperationException e)
            {
                text.Append(e.Response.Content);
            }
        }

        throw new TimeoutException("the payload did not install: " + text);
    }

    private static async Task<double> ThroughputAsync(string ip)
    {
        var watch = Stopwatch.StartNew();
        var bytes = await Http.GetByteArrayAsync($"http://{ip}:8080/");
        return bytes.Length * 8 / watch.Elapsed.TotalSeconds;
    }
}
