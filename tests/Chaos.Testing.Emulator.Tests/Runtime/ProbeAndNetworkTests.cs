using System.Net.Http;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>Probes drive readiness from what the server really does; pods, Services and cluster DNS are reachable for real.</summary>
public sealed class ProbeAndNetworkTests : ProcessRuntimeTest
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    [ProcessRuntimeFact]
    public async Task ReadinessProbe_FollowsTheServer_StoppedServerMakesThePodUnready()
    {
        await CreateAsync(EchoPod("echo", "hello", "echo"));
        var pod = await ReadyAsync("echo");
        (await Http.GetStringAsync($"http://{pod.Status.PodIP}:8080/")).Should().Contain("hello", "the test process reaches the pod's IP");

        // Freeze the server (SIGSTOP to its process, found by the container's PID 1 in the host's /proc): it stops
        // answering, the probe times out and the pod turns unready; SIGCONT brings it back.
        var pid = ServerPid(pod.Status.PodIP);
        Signal(pid, "STOP");
        try
        {
            await PodAsync("echo", p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "False") == true, "the pod turns unready");
        }
        finally
        {
            Signal(pid, "CONT");
        }

        await ReadyAsync("echo");
    }

    [ProcessRuntimeFact]
    public async Task Service_ClusterIpAndDns_ReachTheReadyPods_FromTheTestAndFromAPod()
    {
        await CreateAsync(EchoPod("cart-a", "cart a", "cart"));
        await CreateAsync(EchoPod("cart-b", "cart b", "cart"));
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "cart" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "cart" }, Ports = [new V1ServicePort { Port = 80, Name = "http", TargetPort = 8080 }] },
        }, Ns);
        await ReadyAsync("cart-a");
        await ReadyAsync("cart-b");
        var service = await Client.CoreV1.ReadNamespacedServiceAsync("cart", Ns);

        var answers = await Support.Eventually.MatchAsync(
            async () =>
            {
                var seen = new HashSet<string>();
                for (var i = 0; i < 30; i++)
                {
                    // A new connection each time: the spread is per connection, as with kube-proxy.
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{service.Spec.ClusterIP}/") { Headers = { ConnectionClose = true } };
                    using var response = await Http.SendAsync(request);
                    seen.Add((await response.Content.ReadAsStringAsync()).Trim());
                }

                return seen;
            },
            s => s.SetEquals(["cart a", "cart b"]), "the ClusterIP spreads over both pods", Slow, s => string.Join(", ", s));
        answers.Should().HaveCount(2);

        await CreateAsync(ShellPod("client", "getent hosts cart.shop.svc.cluster.local; getent hosts cart || echo short-failed; getent hosts nothing.shop.svc.cluster.local || echo unknown-failed; " +
            "python3 -c \"import urllib.request; print('got', urllib.request.urlopen('http://cart/', timeout=5).read().decode().strip())\"; sleep 3600"));
        var log = await LogContainsAsync("client", "got ");
        log.Should().Contain(service.Spec.ClusterIP, "the Service name resolves inside the pod")
            .And.NotContain("short-failed", "the short name resolves through the pod's search domains")
            .And.Contain("unknown-failed", "an unknown name does not resolve")
            .And.MatchRegex("got cart [ab]", "a pod reaches the Service by name");
    }

    private static int ServerPid(string podIp)
    {
        // The echo server listens on podIp:8080 inside the pod's network namespace; its PID 1 is the server itself.
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryRead($"{dir}/comm")?.Trim() == "python3"
                && TryRead($"{dir}/environ") is { } env && env.Contains("ECHO_TEXT=hello\0", StringComparison.Ordinal))
            {
                return pid;
            }
        }

        throw new InvalidOperationException($"no echo server process found for {podIp}");
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
